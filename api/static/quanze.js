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
