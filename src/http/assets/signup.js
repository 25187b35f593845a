// The signup form's one script (served from our origin, so the CSP allows it).
// 0. It fills the hidden "timezone" field with the browser's zone, so the digest comes at the reader's hour.
// 1. A person who submits faster than the form's minimum fill time waits out the rest, rather than
//    being taken for a bot. 2. When the operator turned on proof-of-work, it solves the ALTCHA challenge
//    with altcha-lib (served by us too) and submits the answer in the hidden "altcha" field.
for (const zone of document.querySelectorAll('form[action="/subscribe"] input[name=timezone]')) {
  try {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    // No Intl time zone: the server uses DIGEST_TZ and says so.
  }
}
const form = document.querySelector('form[data-min-fill]');
if (form) {
  const shownAt = Date.now();
  const minFill = Number(form.dataset.minFill || 0) * 1000 + 250;
  const button = form.querySelector('button[type=submit]');
  let solved = Promise.resolve();
  if (form.dataset.pow) {
    solved = (async () => {
      const [{ solveChallenge }, { deriveKey }] = await Promise.all([import('/assets/altcha/pow.js'), import('/assets/altcha/algorithms/web/sha.js')]);
      const challenge = JSON.parse(form.dataset.pow);
      const solution = await solveChallenge({ challenge, deriveKey });
      if (solution) form.elements.namedItem('altcha').value = btoa(JSON.stringify({ challenge, solution }));
    })();
  }
  let sending = false;
  form.addEventListener('submit', (event) => {
    if (sending) return;
    event.preventDefault();
    if (button) {
      button.disabled = true;
      button.dataset.label = button.textContent;
      button.textContent = 'One moment…';
    }
    const wait = Math.max(0, minFill - (Date.now() - shownAt));
    Promise.all([solved, new Promise((r) => setTimeout(r, wait))]).finally(() => {
      sending = true;
      form.submit();
    });
  });
}
