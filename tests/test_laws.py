from quanze.loaders.laws import LawLibrary
from quanze.loaders.model import Citation


def test_resolves_titles_with_or_without_prefix_to_current_version(mini_laws):
    lib = LawLibrary(mini_laws)
    doc = lib.lookup("中华人民共和国安全生产法")
    assert doc is lib.lookup("安全生产法")
    assert doc.publish == "2021-06-10" and not doc.expired
    assert doc.articles() == {1, 2, 97, 119}


def test_article_existence_and_expired_documents(mini_laws):
    lib = LawLibrary(mini_laws)
    ok, gone, missing, repealed = (Citation("中华人民共和国安全生产法", 97), Citation("安全生产法", 122),
                                   Citation("消防法", 5), Citation("中华人民共和国环境噪声污染防治法", 56))
    for c in (ok, gone, missing, repealed):
        lib.resolve(c)
    assert (ok.resolved, ok.article_exists, ok.level) == (True, True, "法律")
    assert (gone.resolved, gone.article_exists) == (True, False)
    assert (missing.resolved, missing.article_exists) == (False, None)
    assert (repealed.resolved, repealed.expired) == (True, True)


def test_real_corpus_resolves_common_titles(laws_dir):
    lib = LawLibrary(laws_dir)
    c = Citation("中华人民共和国安全生产法", 97)
    lib.resolve(c)
    assert c.resolved and c.article_exists and not c.expired
    c = Citation("中华人民共和国安全生产法", 122)
    lib.resolve(c)
    assert c.article_exists is False
