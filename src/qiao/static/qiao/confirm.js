// Forms with data-confirm ask before they submit (the CSP allows no inline handlers).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
