// Gallery front end: asks the API (same origin, /api/*) whether it is up.
const status = document.getElementById("status");

async function main() {
  try {
    const response = await fetch("/api/health", { headers: { accept: "application/json" } });
    status.textContent = response.ok ? "The gallery API is up." : `The gallery API answered ${response.status}.`;
  } catch (error) {
    status.textContent = `The gallery API is not reachable: ${error.message}`;
  }
}

main();
