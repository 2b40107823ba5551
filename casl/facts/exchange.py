"""Exchange organisation facts: version, URLs and certificates (facts sheet sections 1.3 and 7)."""
from __future__ import annotations

BUILD = "15.0.995.29"                 # Exchange 2013 CU6 [B1]
FILE_VERSION = "15.00.0995.029"
ADMIN_DISPLAY_VERSION = "Version 15.0 (Build 995.29)"  # UNCONFIRMED exact string for CU6
WINDOWS = "Windows Server 2012 R2"
IIS_VERSION = "8.5"

ORGANISATION = "contoso.com"
NAMESPACE = "mail.contoso.com"

# The self-signed certificate setup creates (facts 1.3): bound to 443 and 444 alike.
SELF_SIGNED_FRIENDLY_NAME = "Microsoft Exchange"
SELF_SIGNED_SERVICES = "IMAP, POP, IIS, SMTP"
SELF_SIGNED_YEARS = 5

# Ports the back end listens on, and the front end proxies to.
FRONT_END_HTTPS_PORT = 443
BACK_END_HTTPS_PORT = 444
FRONT_END_HTTP_PORT = 80
BACK_END_HTTP_PORT = 81

# The certificate the lab's administrator already put on the Default Web Site (443 and the loopback
# 443), issued by the organisation's enterprise CA, as the article's own lab had. 444 keeps the
# self-signed "Microsoft Exchange" certificate, as Microsoft recommends (facts 1.3).
LAB_CA = "CN=contoso-DC01-CA, DC=contoso, DC=com"
LAB_CERT_FRIENDLY_NAME = "Contoso Exchange (internal CA)"
LAB_CERT_NAMES = ("mail.contoso.com", "autodiscover.contoso.com")
LAB_CERT_YEARS = 2
