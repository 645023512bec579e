// Once a passkey is made (django-otp-webauthn's event), go on: to the recovery codes after the
// first second factor, or back to the page to show the new passkey.
document.addEventListener("otp_webauthn.register_complete", () => {
  const next = document.getElementById("after-passkey");
  if (next) {
    next.submit();
  }
});
