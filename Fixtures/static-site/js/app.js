document.querySelector("h1").title = "Freshly baked";
