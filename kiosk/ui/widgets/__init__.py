"""Small widgets the screens share: buttons, the camera preview, the level meter, a keyboard."""
