"""Scaffolding that drives the real screens from a script: `kiosk screenshots`, `kiosk bench
--ui` and `kiosk bench --preview`. Kept apart so the product screens carry none of it; the
booth's own window never imports this package."""
