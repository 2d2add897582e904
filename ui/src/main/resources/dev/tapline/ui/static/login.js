// Shows the "wrong token" (or "too many tries") message after a failed attempt, and carries the page the user came
// from (a #/... address) through the sign-in.
const params = new URLSearchParams(location.search);
if (params.has('error')) {
  const box = document.getElementById('login-error');
  if (params.get('error') === 'throttled') {
    box.textContent = 'Too many wrong tokens from this address: wait a minute, then try again.';
  }
  box.hidden = false;
}
const next = params.get('next');
if (next && next.startsWith('#/')) {
  document.getElementById('next').value = next;
}
