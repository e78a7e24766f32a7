// Security keys (access/passkeys.py). django-otp-webauthn's script (served from the package)
// registers a key and announces it with the new key's id; this then submits the form holding
// the name the person typed, so the key is named (and the first one's recovery codes shown).
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const form = document.getElementById("passkey-name-form");
  if (!form) return;
  form.elements.device.value = event.detail.id;
  form.submit();
});

// Enter in the name field starts the registration rather than sending a form without a key.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "passkey-name-form" && !form.elements.device.value) {
    event.preventDefault();
    document.getElementById("passkey-register-button")?.click();
  }
});
