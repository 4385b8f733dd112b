// The visit form's sign-in (签到): the phone's time and, if the person allows it, its location
// (browser geolocation), into the form's hidden fields. Without it the server's time counts.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-sign-in]");
  if (!box) return;
  const button = box.querySelector("[data-sign-in-button]");
  const status = box.querySelector("[data-sign-in-status]");
  const field = (name) => document.querySelector(`[data-sign-in-${name}]`);
  const pad = (n) => String(n).padStart(2, "0");
  const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const show = (when, located) => {
    status.textContent = `${status.dataset.signedText} ${local(when).slice(11, 16)} · ` +
      (located ? status.dataset.locatedText : status.dataset.unlocatedText);
    status.classList.remove("text-muted");
    status.classList.add("text-success");
  };
  button.addEventListener("click", () => {
    const now = new Date();
    field("time").value = now.toISOString();
    if (!navigator.geolocation) { show(now, false); return; }
    navigator.geolocation.getCurrentPosition((position) => {
      field("lat").value = position.coords.latitude.toFixed(6);
      field("lon").value = position.coords.longitude.toFixed(6);
      field("accuracy").value = Math.round(position.coords.accuracy);
      show(now, true);
    }, () => show(now, false), { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
});
