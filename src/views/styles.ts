/** The one stylesheet, served by the Worker at /app.css (CSP allows only this origin). */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f7f7f8; --card: #fff; --muted: #555b63;
  --accent: #0b57d0; --accent-fg: #fff; --error: #a4161a; --ok: #136f3a; --border: #d0d4da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --bg: #15171a; --card: #1f2226;
  --muted: #aab1ba; --accent: #8ab4f8; --accent-fg: #0b1a33; --error: #ffb4ab; --ok: #8fd19e; --border: #3a3f45; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
.bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1rem; background: var(--card); border-bottom: 1px solid var(--border); }
.bar nav { display: flex; gap: 1rem; align-items: center; }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
.columns { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
.card h2 { margin-top: 0; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
label { display: block; font-weight: 600; margin-top: .75rem; }
input, textarea { width: 100%; padding: .5rem; font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--muted); border-radius: .25rem; }
button { margin-top: 1rem; padding: .5rem 1rem; font: inherit; font-weight: 600; color: var(--accent-fg);
  background: var(--accent); border: 0; border-radius: .25rem; cursor: pointer; }
button.secondary { color: var(--accent); background: transparent; border: 1px solid var(--accent); margin-top: 0; }
button.link { margin: 0; padding: 0; color: var(--accent); background: none; text-decoration: underline; font-weight: 400; line-height: inherit; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
form.inline { display: inline-flex; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.message { padding: .75rem 1rem; border-radius: .25rem; border: 1px solid currentColor; }
.message.error { color: var(--error); }
.message.notice { color: var(--ok); }
.statuses { list-style: none; padding: 0; }
.statuses li { background: var(--card); border: 1px solid var(--border); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: .5rem; }
.statuses p { margin: 0 0 .25rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.statuses time { color: var(--muted); font-size: .85rem; }
table { width: 100%; border-collapse: collapse; margin-bottom: 1rem; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--border); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`
