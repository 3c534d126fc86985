// The pages' charts, drawn with the vendored Apache ECharts (/static/echarts/echarts.min.js) from the JSON a page
// carries in <script type="application/json" id="…-data">; every bar, cell, node and edge opens its findings list.
// Each chart has a table beside it with the same numbers, so a page without scripts (or printed) loses nothing.
(function () {
  const FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
  const SEVERITY_COLOURS = {"红": "#c0392b", "黄": "#d4a017", "蓝": "#2e6da4"};

  function data(id) {
    const block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function chart(el) {
    const c = echarts.init(el, null, {renderer: "svg"});
    window.addEventListener("resize", () => c.resize());
    return c;
  }

  function follow(params) {
    const href = params.data && params.data.href;
    if (href) { window.location.assign(href); }
  }

  // Horizontal bars, their lengths proportional to the counts (the axis starts at 0, one scale for all).
  function bars(el, rows, label, colour) {
    el.style.height = Math.max(120, 28 * rows.length + 60) + "px";
    const c = chart(el);
    c.setOption({
      textStyle: {fontFamily: FONT}, animation: false,
      grid: {left: 8, right: 48, top: 10, bottom: 24, containLabel: true},
      tooltip: {trigger: "item", formatter: p => label(p.data) + "：" + p.data.value + " 个问题（点击查看）"},
      xAxis: {type: "value", min: 0, minInterval: 1, name: "问题数", nameLocation: "middle", nameGap: 20},
      yAxis: {type: "category", inverse: true, data: rows.map(label), axisLabel: {width: 260, overflow: "truncate"}},
      series: [{type: "bar", cursor: "pointer", label: {show: true, position: "right"},
                data: rows.map(r => ({...r, itemStyle: {color: colour(r)}}))}],
    });
    c.on("click", follow);
    return c;
  }

  window.severityChart = function (el, id) {
    const rows = data(id);
    if (rows && rows.length) { bars(el, rows, r => r.name, r => SEVERITY_COLOURS[r.name] || "#7a9cc6"); }
  };

  window.ruleChart = function (el, id) {
    const rows = data(id);
    if (rows && rows.length) { bars(el, rows, r => r.name + " " + (r.title || ""), () => "#7a9cc6"); }
  };

  // Departments × rules: the colour of a cell is its number of findings.
  window.heatmapChart = function (el, id) {
    const d = data(id);
    if (!d || !d.cells.length) { return; }
    el.style.height = Math.max(240, 26 * d.departments.length + 140) + "px";
    const c = chart(el);
    c.setOption({
      textStyle: {fontFamily: FONT}, animation: false,
      grid: {left: 8, right: 16, top: 10, bottom: 70, containLabel: true},
      tooltip: {formatter: p => d.departments[p.data.value[1]] + " · " + d.rules[p.data.value[0]] + " " +
                                (d.titles[p.data.value[0]] || "") + "：" + p.data.value[2] + " 个问题"},
      xAxis: {type: "category", data: d.rules, splitArea: {show: true}, axisLabel: {interval: 0, rotate: 45}},
      yAxis: {type: "category", data: d.departments, inverse: true, splitArea: {show: true},
              axisLabel: {width: 220, overflow: "truncate"}},
      visualMap: {min: 1, max: Math.max(d.max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0,
                  itemHeight: 120, text: ["多", "少"], inRange: {color: ["#e3edf7", "#7a9cc6", "#2e4a6b"]}},
      series: [{type: "heatmap", cursor: "pointer", label: {show: true}, data: d.cells}],
    });
    c.on("click", follow);
  };

  // Departments sharing findings, in a force layout: node size by findings, edge width by shared findings.
  window.overlapChart = function (el, id) {
    const d = data(id);
    if (!d || !d.nodes.length) { return; }
    const top = Math.max(...d.nodes.map(n => n.value), 1), heaviest = Math.max(...d.edges.map(e => e.value), 1);
    const c = chart(el);
    c.setOption({
      textStyle: {fontFamily: FONT}, animationDurationUpdate: 0,
      tooltip: {formatter: p => p.dataType === "edge"
        ? p.data.source + " — " + p.data.target + "：共同涉及 " + p.data.value + " 个问题（点击查看）"
        : p.data.name + "：涉及 " + p.data.value + " 个问题" + (p.data.page ? "（点击打开部门页面）" : "")},
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, cursor: "pointer",
        force: {repulsion: 260, edgeLength: [60, 180], gravity: 0.08, layoutAnimation: false},
        label: {show: true, position: "right", formatter: p => p.data.name + "（" + p.data.value + "）"},
        emphasis: {focus: "adjacency", lineStyle: {width: 8}},
        data: d.nodes.map(n => ({...n, symbolSize: 12 + 36 * Math.sqrt(n.value / top),
                                 itemStyle: {color: n.name === d.center ? "#a5281b" : "#2e4a6b"}})),
        links: d.edges.map(e => ({...e, lineStyle: {width: 1 + 9 * e.value / heaviest, color: "#7a9cc6",
                                                    opacity: 0.8}})),
      }],
    });
    c.on("click", params => {
      const target = params.dataType === "node" ? (params.data.page || params.data.href) : params.data.href;
      if (target) { window.location.assign(target); }
    });
  };

  // A simulation's flows from the origin departments to the receivers, and what stays.
  window.sankeyChart = function (el, id) {
    const d = data(id);
    if (!d || !d.links.length) { return; }
    el.style.height = Math.max(280, 30 * d.nodes.length) + "px";
    const c = chart(el);
    c.setOption({
      textStyle: {fontFamily: FONT}, animation: false,
      tooltip: {trigger: "item", formatter: p => p.dataType === "edge"
        ? p.data.source + " → " + p.data.target + "：" + p.data.value + " 项" : p.name},
      series: [{type: "sankey", left: 8, right: 160, nodeGap: 10, draggable: false, emphasis: {focus: "adjacency"},
                lineStyle: {color: "gradient", curveness: 0.5}, label: {fontFamily: FONT},
                data: d.nodes, links: d.links}],
    });
  };
})();
