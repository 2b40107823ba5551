# ---
# jupyter:
#   jupytext:
#     comment_magics: true
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Certificates and names
#
# **Time:** 40 minutes. **Lab:** `certificates`, two freshly installed Exchange 2013 servers, each with
# only the self-signed certificate setup made. Everything in this notebook is real X.509: the
# certificates are made and checked with the `cryptography` library, not drawn.
#
# ## What you will be able to do
#
# * answer the three questions every client asks of a certificate, and say which one fails;
# * work out the smallest set of names a namespace plan needs, and what an SRV record or a wildcard changes;
# * explain why the Default Web Site gets the new certificate and 444 keeps the self-signed one;
# * request, complete and enable a certificate on the right server, and recognise a certificate that has
#   lost its private key.

# %% [markdown]
# ## The idea: three questions
#
# Whatever the client (a browser, Outlook, a phone), it accepts the certificate a server shows only if
# all three answers are yes:
#
# ```mermaid
# flowchart LR
#     Q1{"Do I trust<br/>the issuer?"} -->|yes| Q2{"Is it within<br/>its dates?"}
#     Q2 -->|yes| Q3{"Is the name I typed<br/>on the certificate?"}
#     Q3 -->|yes| OK["Connection goes ahead"]
#     Q1 -->|no| W["Warning, or no connection"]
#     Q2 -->|no| W
#     Q3 -->|no| W
# ```
#
# Which names matter is decided by the clients: the URLs people type, the URLs Autodiscover hands out,
# and the names clients try when they look for Autodiscover. Any name works, as long as it resolves to
# Client Access and is on the certificate.

# %% [markdown]
# ## Explore the live lab
#
# Open the lab and the Exchange Management Shell on ServerA, then list the certificates:

# %%
import casl
from casl.certs import names, trust
from casl.certs.pki import lab_pki

lab = casl.open_lab("certificates")

# %%
# %%ps ServerA
$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://ServerA.contoso.com/PowerShell/ -Authentication Kerberos
Import-PSSession $Session -DisableNameChecking | Out-Null
Get-ExchangeCertificate
netsh http show sslcert ipport=0.0.0.0:443

# %% [markdown]
# The certificate setup made (`CN=ServerA`, services `IP.WS..`: IMAP, POP, IIS, SMTP) is bound to both
# 443 and 444. A browser inside the domain, going to the namespace, is not happy with it:

# %%
result = lab.browse("UserA", "https://mail.contoso.com/owa")
result.outcome, result.failed_hop.detail

# %% [markdown]
# Two questions fail at once: nobody but ServerA trusts a self-signed issuer, and `mail.contoso.com` is
# not one of its names. The same questions, asked of real certificates from the lab's CAs (a Contoso
# enterprise root that domain members trust, and a public one everybody trusts):

# %%
pki = lab_pki()
checks = [
    ("mail-only", "autodiscover.contoso.com", "outside"),
    ("exchange-self-signed-ServerA", "mail.contoso.com", "outside"),
    ("expired", "mail.contoso.com", "domain-joined"),
    ("wildcard", "mail.contoso.com", "outside"),
    ("wildcard", "contoso.com", "outside"),
]
for label, host, store in checks:
    print(f"{label:<30}", trust.check(pki.get(label), host, store=store).summary())

# %% [markdown]
# A wildcard covers one level: `*.contoso.com` matches `mail.contoso.com` but not `contoso.com` itself.
#
# ### Example A: only `mail.contoso.com` on the certificate
#
# Split DNS sends `mail.contoso.com` to Client Access inside and out; every URL uses that name. Who works?

# %%
names.summary(names.example_a())

# %% [markdown]
# Outlook outside the domain has no Active Directory to ask, so it looks for Autodiscover by name
# (`https://contoso.com/...`, then `https://autodiscover.contoso.com/...`) and meets a certificate without
# that name; phones setting themselves up do the same. The details, client by client:

# %%
names.frame(names.example_a())[["client", "service", "status", "how"]]

# %% [markdown]
# An SRV record (`_autodiscover._tcp.contoso.com` pointing at `mail.contoso.com`) rescues Outlook,
# which asks DNS for it as a last resort. It does not rescue the phones, which do not look for it:

# %%
names.summary(names.example_a(srv=True))

# %% [markdown]
# ### Example B: only `autodiscover.contoso.com`
#
# Make that the only name and point every URL at it: all clients work, including automatic set-up, at the
# price of an odd address for OWA.

# %%
frame_b = names.frame(names.example_b())
frame_b[frame_b["service"] == "OWA"][["client", "status", "url"]]

# %% [markdown]
# ## Break it: the certificate without a private key
#
# Request a certificate on ServerA. The request's private key is created on ServerA and waits there for
# the CA's answer:

# %%
# %%ps ServerA
New-ExchangeCertificate -GenerateRequest -SubjectName 'c=US, o=Contoso, cn=mail.contoso.com' -DomainName mail.contoso.com,autodiscover.contoso.com -PrivateKeyExportable $true -RequestFile C:\certreq.req | Out-Null
certreq -submit -config 'DC01.contoso.com\Contoso Root CA' C:\certreq.req C:\certreq.cer
Get-ExchangeCertificate | Format-Table Thumbprint, Status, Subject

# %% [markdown]
# Now make the classic mistake: import the CA's answer on **ServerB**, which never saw the request.

# %%
# %%ps ServerB
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn
Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('\\ServerA\c$\certreq.cer')) | Out-Null
Get-ExchangeCertificate -DomainName mail.contoso.com | Format-List Subject, HasPrivateKey, Status

# %% [markdown]
# ## Diagnose with real commands
#
# `HasPrivateKey : False` is the whole story: the key lives on ServerA. Such a certificate cannot serve
# TLS, and Exchange refuses to enable it:

# %%
# %%ps ServerB
Get-ExchangeCertificate -DomainName mail.contoso.com | Enable-ExchangeCertificate -Services IIS
Get-ChildItem Cert:\LocalMachine\My

# %% [markdown]
# The Personal store of the computer (`Cert:\LocalMachine\My`, or the Certificates snap-in for the
# computer account) is where both the pending request's certificate and every imported certificate live.
#
# ## Repair
#
# Complete the request where it was made, then enable the certificate for IIS. Only the Default Web Site's
# 443 moves to the new certificate; 444 keeps the self-signed one, which the front end accepts without
# checking its name.

# %%
# %%ps ServerA
Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certreq.cer')) | Out-Null
Get-ExchangeCertificate -DomainName autodiscover.contoso.com | Enable-ExchangeCertificate -Services IIS
Get-ExchangeCertificate | Format-Table Thumbprint, Services, Subject
netsh http show sslcert | findstr /c:"IP:port" /c:"Certificate Hash"

# %%
lab.browse("UserA", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# ### Reading real certificate files
#
# `casl.certs.inspect` reads PEM, DER, PFX files and PEM bundles, and shows what `Get-ExchangeCertificate`
# would: names, issuer, dates, thumbprint, usages. The lab's certificates are in `data/certs/lab/`:

# %%
from casl.certs.inspect import inspect as read_certificate
from casl.paths import data_path

info = read_certificate(data_path("certs/lab/multi-name.cer"))
info.subject, info.issuer, info.dns_names, info.not_after.date()

# %% [markdown]
# ### The same questions from a real TLS client
#
# Everything above is judged by casl. To hear it from OpenSSL itself, `casl.certs.live.demo` starts a TLS
# server on this machine (127.0.0.1 only, a port the system picks, stopped right after), serves a
# certificate from the lab's enterprise CA dated around today, and connects with Python's `ssl` module
# under a chosen name, trusting a chosen CA. OpenSSL's own error comes back, next to casl's three answers:

# %%
from casl.certs import live

for on_cert, connect_as, trusts, expired in (
        (["mail.contoso.com"], "autodiscover.contoso.com", ("contoso",), False),
        (["mail.contoso.com"], "mail.contoso.com", ("fabrikam",), False),
        (["mail.contoso.com"], "mail.contoso.com", ("contoso",), True),
        (["mail.contoso.com", "autodiscover.contoso.com"], "autodiscover.contoso.com", ("contoso",), False)):
    print(live.demo(on_cert, connect_as, trust=trusts, expired=expired), end="\n\n")

# %% [markdown]
# ## Checked exercises
#
# The exercise lab, `certificates-exercises`: on ServerA someone generated a request for
# `mail.contoso.com` and `autodiscover.contoso.com` and had the enterprise CA answer it (`C:\certreq.cer`);
# nobody completed it. The console on ServerA has the Exchange snap-in loaded.

# %%
lab = casl.open_lab("certificates-exercises")

# %% [markdown]
# ### Exercise 1: the smallest name set
#
# The plan: OWA, EWS, ActiveSync, OAB and Outlook Anywhere all use `mail.contoso.com`, inside and outside
# (split DNS). Domain-joined Outlook finds Autodiscover through Active Directory; Outlook at home and
# phones must set themselves up automatically; there is no SRV record. Which names must be on the
# certificate, and no more?

# %% casl={"exercise": "certs.smallest-names", "role": "answer"}
### BEGIN SOLUTION
cert_names = {"mail.contoso.com", "autodiscover.contoso.com"}
### END SOLUTION

# %% casl={"exercise": "certs.smallest-names", "role": "check"}
casl.exercise("certs.smallest-names").check()

# %% [markdown]
# ### Exercise 2: which question fails?
#
# Answer with `"issuer"`, `"dates"` or `"name"`: in Example A, for Outlook outside the domain; and for a
# phone connecting to `mail.contoso.com` while the server still shows Exchange's self-signed certificate
# issued to that name.

# %% casl={"exercise": "certs.which-question", "role": "answer"}
### BEGIN SOLUTION
outlook_outside = "name"
phone_selfsigned = "issuer"
### END SOLUTION

# %% casl={"exercise": "certs.which-question", "role": "check"}
casl.exercise("certs.which-question").check()

# %% [markdown]
# ### Exercise 3: complete the request on the right server
#
# Turn the CA's answer into a usable certificate, with its private key.

# %% casl={"exercise": "certs.complete-request", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certreq.cer'))
### END SOLUTION

# %% casl={"exercise": "certs.complete-request", "role": "check"}
casl.exercise("certs.complete-request").check()

# %% [markdown]
# ### Exercise 4: bind it to IIS, and only to 443
#
# Make ServerA's Default Web Site show the new certificate, leaving the Exchange Back End's 444 alone.

# %% casl={"exercise": "certs.enable-iis", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Get-ExchangeCertificate -DomainName autodiscover.contoso.com | Enable-ExchangeCertificate -Services IIS
### END SOLUTION

# %% casl={"exercise": "certs.enable-iis", "role": "check"}
casl.exercise("certs.enable-iis").check()

# %% [markdown]
# ### Exercise 5: read a real certificate file
#
# Open `data/certs/lab/wildcard.cer` with `read_certificate` (from `casl.certs.inspect`) and give its DNS names and its issuer's
# common name (the `CN=` part).

# %%
# Scratch cell: read the file here, e.g. read_certificate(data_path("certs/lab/wildcard.cer"))

# %% casl={"exercise": "certs.read-file", "role": "answer"}
### BEGIN SOLUTION
file_names = {"*.contoso.com"}
file_issuer = "Fabrikam Public Issuing CA 1"
### END SOLUTION

# %% casl={"exercise": "certs.read-file", "role": "check"}
casl.exercise("certs.read-file").check()

# %% [markdown]
# ## Recap: on a real server
#
# * Three questions, every time: trusted issuer, within its dates, the name on it.
# * Put on the certificate every name clients use: the namespace and, for automatic set-up outside the
#   domain, `autodiscover.<domain>`. An SRV record helps Outlook, not phones. Wildcards cover one level.
# * `Enable-ExchangeCertificate -Services IIS` binds the Default Web Site's 443; leave 444 on the
#   self-signed certificate.
# * Complete a request on the server that generated it, and keep the pending request until then:
#   without it the certificate arrives with `HasPrivateKey : False`.
