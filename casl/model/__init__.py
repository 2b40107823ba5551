"""The simulated world as plain data plus the rules that change it.

``org`` holds servers, databases, mailboxes and DNS; ``server`` one Windows/Exchange machine;
``iis`` its sites, bindings and pools; ``windows`` its services and processes; ``fs`` its small
file system; ``clock`` the lab clock. Nothing here prints or renders.
"""
