// A checkbox with data-check-all="name" ticks or unticks every checkbox of that name on the page.
document.addEventListener("change", (event) => {
  const name = event.target.dataset.checkAll;
  if (!name) return;
  document.querySelectorAll(`input[type="checkbox"][name="${name}"]`).forEach((box) => {
    box.checked = event.target.checked;
  });
});
