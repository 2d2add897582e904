// Shows the "wrong token" message when the server redirected back with ?error=1.
const params = new URLSearchParams(location.search);
if (params.has('error')) {
  document.getElementById('login-error').hidden = false;
}
