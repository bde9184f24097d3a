import vhid

with vhid.Client("hello") as client:
    with client.keyboard() as kbd:           # waits until the desktop reads it
        kbd.type("Hello from vhid!\n")        # exact on the layout in use
        kbd.key("ctrl+s")                     # keys by name ("KEY_F5", "at", ...)
    with client.pointer() as mouse:
        mouse.move(100, -40)
        mouse.click()
        mouse.scroll(-1)                      # one notch down
