"""One interview's recording, from its parts to a committed `interview.mp4`: the manifest,
the session being recorded, finishing, recovery, and the headless recorder (no Qt)."""
