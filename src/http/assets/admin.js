// The console's live progress bar: while an edition is being sent, its counts are fetched every two seconds
// and the bar and numbers follow them. Without JavaScript the page shows the counts of when it was loaded.
const box = document.getElementById('progress');
if (box && box.dataset.live === 'yes') {
  const bar = box.querySelector('progress');
  const show = (name, value) => {
    for (const el of document.querySelectorAll(`[data-count="${name}"]`)) el.textContent = String(value);
  };
  const tick = async () => {
    let stats;
    try {
      const res = await fetch(box.dataset.url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return setTimeout(tick, 5000);
      stats = await res.json();
    } catch {
      return setTimeout(tick, 5000);
    }
    const done = stats.sent + stats.failed;
    bar.max = Math.max(stats.recipients, 1);
    bar.value = done;
    bar.textContent = `${done} of ${stats.recipients}`;
    show('done', done);
    for (const k of ['recipients', 'queued', 'sending', 'sent', 'failed', 'skipped', 'renders', 'status']) show(k, stats[k]);
    box.dataset.status = stats.status;
    if (['pending', 'assigning', 'sending'].includes(stats.status)) setTimeout(tick, 2000);
  };
  setTimeout(tick, 1000);
}
