"""The recruiter's side of the kiosk, behind a PIN.

For the main window: `PinPrompt` (sign in; `unlocked(SignedInOperator)`, `cancelled()`),
`AdminSetup` (the first start: create the first admin; `done(SignedInOperator)`), and
`RecruiterView` (the sessions list and the details with the player; `locked()`). Whether
the first start needs `AdminSetup` is `kiosk.store.operators.has_admin(db)`.
"""

from kiosk.ui.recruiter.admin_setup import AdminSetup
from kiosk.ui.recruiter.pin_prompt import PinPrompt
from kiosk.ui.recruiter.recruiter_view import RecruiterView

__all__ = ["AdminSetup", "PinPrompt", "RecruiterView"]
