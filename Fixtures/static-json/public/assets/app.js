const entries = await fetch("/assets/entries.json").then((r) => r.json());
document.getElementById("log-book").textContent = `${entries.length} entries, route ${location.pathname}`;
