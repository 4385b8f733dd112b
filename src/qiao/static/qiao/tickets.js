// A standard reply (标准服务用语) button puts its text into the reply box, where the agent
// adapts it before sending.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-canned]");
  if (!button) return;
  const box = document.getElementById(button.dataset.target);
  if (!box) return;
  box.value = box.value ? `${box.value}\n${button.dataset.canned}` : button.dataset.canned;
  box.focus();
});
