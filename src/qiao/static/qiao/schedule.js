// The weekly visit schedule: on a desktop a customer is dragged to another day's column; the
// drop sets the line's day <select> (the same field a phone user changes by hand), and the
// form's Save sends it. No network here: the server checks every day and the version.
(() => {
  const form = document.getElementById("schedule-form");
  if (!form) return;
  const unsaved = document.querySelector("[data-testid=schedule-unsaved]");
  const markDirty = () => { if (unsaved) unsaved.classList.remove("d-none"); };
  form.addEventListener("change", markDirty);
  let dragged = null;
  form.querySelectorAll(".schedule-line[draggable=true]").forEach((line) => {
    line.addEventListener("dragstart", (event) => {
      dragged = line;
      line.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", line.dataset.line);
    });
    line.addEventListener("dragend", () => {
      line.classList.remove("dragging");
      dragged = null;
      form.querySelectorAll(".drop-target").forEach((d) => d.classList.remove("drop-target"));
    });
  });
  form.querySelectorAll("[data-schedule-day]").forEach((column) => {
    if (column.dataset.working !== "1") return;  // a day off takes no visits
    column.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop-target");
      const id = event.dataTransfer.getData("text/plain");
      const line = dragged || form.querySelector(`.schedule-line[data-line="${id}"]`);
      if (!line) return;
      column.querySelector(".schedule-lines").appendChild(line);
      const select = line.querySelector("select");
      if (select && select.value !== column.dataset.scheduleDay) {
        select.value = column.dataset.scheduleDay;
        markDirty();
      }
    });
  });
  // A day chosen in a line's <select> moves the line to that column too.
  form.querySelectorAll(".schedule-line select").forEach((select) => {
    select.addEventListener("change", () => {
      const column = form.querySelector(`[data-schedule-day="${select.value}"] .schedule-lines`);
      const line = select.closest(".schedule-line");
      if (column && line) column.appendChild(line);
    });
  });
})();
