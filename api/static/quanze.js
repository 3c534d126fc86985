// Poll a job's progress and reload the page when it is done (no external libraries).
function watchJob(url, bar, label) {
  const tick = () => fetch(url).then(r => r.json()).then(job => {
    bar.value = job.progress || 0;
    label.textContent = (job.stage || job.status) + " " + Math.round(job.progress || 0) + "%";
    if (job.status === "完成" || job.status === "失败" || job.status === "中断") { window.location.reload(); }
    else { setTimeout(tick, 500); }
  });
  tick();
}

// A header checkbox that ticks or clears every row's checkbox.
function selectAll(all, boxes) {
  all.addEventListener("change", () => boxes.forEach(b => { b.checked = all.checked; }));
}

// Send a form with files in the background: when the service refuses it (no token, a file it cannot
// read), say why above the form and keep the chosen files, instead of leaving the page.
function keepFilesOnRefusal(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let box = form.querySelector(".form-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-message";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.classList.remove("error");
    box.textContent = "正在上传并导入，请稍候……";
    const button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    try {
      const response = await fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"});
      if (response.ok) { window.location.assign(response.url); return; }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const said = page.querySelector("#error-detail") || page.querySelector("main .error");
      box.classList.add("error");
      box.textContent = (said ? said.textContent.trim() : "未能提交（" + response.status + "）。") + " 已选择的文件仍保留，改正后可直接重新提交。";
      if (response.status === 401) {
        const token = form.querySelector("label.token");
        if (token) { token.hidden = false; token.querySelector("input").focus(); }
      }
    } catch (e) {
      box.classList.add("error");
      box.textContent = "无法连接服务（" + e.message + "）。已选择的文件仍保留。";
    } finally {
      if (button) { button.disabled = false; }
    }
  });
}
