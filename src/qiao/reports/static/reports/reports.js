// Print buttons (<button data-print>) without inline script, so a strict CSP can stay on.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
