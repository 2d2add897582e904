// Shows the "wrong token" message after a failed attempt, and carries the page the user came
// from (a #/... address) through the sign-in.
const params = new URLSearchParams(location.search);
if (params.has('error')) {
  document.getElementById('login-error').hidden = false;
}
const next = params.get('next');
if (next && next.startsWith('#/')) {
  document.getElementById('next').value = next;
}
