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
# # 02 · Following a request: the proxy to 444, and the bindings lab
#
# **Time:** 35 minutes. **Lab:** `bindings`, two multi-role Exchange 2013 servers. `mail.contoso.com`
# points at ServerA, so every user comes in through ServerA's front end. UserA's mailbox database (DB1)
# is mounted on ServerA, UserB's (DB2) on ServerB.
#
# ## What you will be able to do
#
# * trace an OWA request hop by hop, from the browser to the Information Store, on one server and across
#   two;
# * explain why moving the back end's https binding off 444 gives a blank page *after* the logon page;
# * recognise the repairs that make it worse (443 on the back end, a back end tied to one address);
# * find a firewall rule that blocks 444 between servers, and why only some users notice it.

# %% [markdown]
# ## The idea
#
# A browser never talks to the back end. It reaches the **Default Web Site on 443**; the front end
# serves the logon page itself and checks the password. Only then does it look up which server holds the
# user's active mailbox database, and proxy the request over **https to port 444** of that server's
# **Exchange Back End** site. The back end's worker process hands the request to **RPC Client Access**,
# which opens the mailbox in the **Information Store**.
#
# ```mermaid
# flowchart LR
#     B["Browser"] -->|"https 443"| FE["ServerA<br/>Default Web Site<br/>(front end)"]
#     FE -->|"https 444<br/>UserA: ServerA itself"| BEA["ServerA<br/>Exchange Back End"]
#     FE -->|"https 444<br/>UserB: over the network"| BEB["ServerB<br/>Exchange Back End"]
#     BEA --> RA["RPC Client Access"] --> SA["Information Store: DB1"]
#     BEB --> RB["RPC Client Access"] --> SB["Information Store: DB2"]
# ```
#
# The TLS connection to 444 encrypts the traffic, but the front end does not check the name on the back
# end's certificate: that is why the self-signed certificate Exchange puts on 444 is fine there.

# %% [markdown]
# ## Explore the live lab
#
# `lab.browse(user, url)` sends a browser request through the lab and returns what happened at each hop:
# which machine and process handled it (with its PID), what it did, and whether it worked. The
# connections and log lines it leaves behind are the real thing: the next notebooks read them with
# `netstat` and the log files.

# %%
import casl

lab = casl.open_lab("bindings")
lab.browse("UserA", "https://mail.contoso.com/owa")

# %% [markdown]
# Every hop for UserA stays on ServerA: the front end proxies to its *own* back end (over the server's
# link-local IPv6 address). Now UserB, whose mailbox lives on ServerB:

# %%
userb = lab.browse("UserB", "https://mail.contoso.com/owa")
userb

# %% [markdown]
# The same w3wp.exe of `MSExchangeOWAAppPool` on ServerA opens a connection to **ServerB:444**, and
# ServerB's back end, RPC Client Access and Store do the rest. The result can also draw itself as a
# diagram (JupyterLab renders Mermaid):

# %%
from IPython.display import Markdown

Markdown(f"```mermaid\n{userb.mermaid()}\n```")

# %% [markdown]
# ## Break it: 444 becomes 445
#
# Someone edits the bindings of the Exchange Back End on ServerA, and the https port becomes 445 (an
# installer, or a slip in IIS Manager). Do it yourself:

# %%
# %%ps ServerA
Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port -Value 445
Get-WebBinding -Name 'Exchange Back End'

# %% [markdown]
# Now "refresh the browser": UserA signs in again.

# %%
broken = lab.browse("UserA", "https://mail.contoso.com/owa")
broken

# %% [markdown]
# The logon page still loads and the password is still accepted: all of that happens on the front end.
# The request dies at the **proxy** hop, when the front end tries to reach 444 and nothing listens there.
# The browser gets an HTTP 500 with an empty body: a **blank page**.

# %%
Markdown(f"```mermaid\n{broken.mermaid()}\n```")

# %% [markdown]
# UserB does not notice anything: their back end is ServerB, whose bindings are untouched.

# %%
lab.browse("UserB", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# ## Diagnose with real commands
#
# On the server, three quick looks confirm the story: the bindings, whether anything answers on 444,
# and what http.sys has a certificate for.

# %%
# %%ps ServerA
Get-WebBinding -Name 'Exchange Back End' | Format-Table protocol, bindingInformation
Test-NetConnection ServerA -Port 444
netsh http show sslcert ipport=0.0.0.0:444

# %% [markdown]
# Port 444 does not answer, although its certificate binding in http.sys is still there (the port change
# left it behind). The front end has been proxying to a port that no site listens on.
#
# ## Repair
#
# Put the port back. The certificate binding for `0.0.0.0:444` was never removed, so the site picks it up
# again at once.

# %%
# %%ps ServerA
Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 444
Get-WebBinding -Name 'Exchange Back End'

# %%
lab.browse("UserA", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# ### Repairs that make it worse
#
# Two well-meant repairs seen in real support cases. Each runs in `lab.copy()`, a copy of your lab
# that is kept nowhere, so your own lab stays healthy.
#
# **443 on the back end.** "HTTPS is 443, surely." Two started sites cannot own the same address and
# port; the Default Web Site registered 443 first, so IIS refuses to start the Exchange Back End at all.

# %%
scratch = lab.copy()
print(scratch.run("ServerA", "New-WebBinding -Name 'Exchange Back End' -Protocol https -Port 443"))
print(scratch.run("ServerA", "Get-Website | Format-Table Name, ID, State"))
scratch.browse("UserA", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# **Tie the back end to the server's address.** The front end reaches its own back end over the
# link-local IPv6 address, which a binding on `10.0.0.11` does not cover: IIS answers "400 Bad Request,
# Invalid Hostname", while UserB (coming from nowhere near that binding) is unaffected.

# %%
scratch = lab.copy()
scratch.run("ServerA", "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' "
                       "-PropertyName IPAddress -Value 10.0.0.11")
for user in ("UserA", "UserB"):
    result = scratch.browse(user, "https://mail.contoso.com/owa")
    print(user, result.outcome, result.status)

# %% [markdown]
# ### When 444 is blocked between the servers
#
# Security teams sometimes close "unusual" ports between servers. Here a rule on ServerB drops 444 coming
# in from the other Exchange server (the fault `port-444-blocked`).

# %%
lab.inject("port-444-blocked")
for user in ("UserA", "UserB"):
    result = lab.browse(user, "https://mail.contoso.com/owa")
    print(user, result.outcome, result.status)

# %% [markdown]
# Only UserB fails, after a long wait (the connection attempt times out), with an error page. From
# ServerA, `Test-NetConnection` shows ServerB answering pings but not 444:

# %%
# %ps ServerA: Test-NetConnection ServerB -Port 444

# %% [markdown]
# Remove the rule and UserB is back:

# %%
# %%ps ServerB
Get-NetFirewallRule -DisplayName 'Block Exchange 444' | Format-Table DisplayName, Direction, Action
Remove-NetFirewallRule -DisplayName 'Block Exchange 444'

# %%
lab.browse("UserB", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# ### Try it with the binding editor
#
# Change a binding of either site on ServerA, then press **Refresh browser**: the request runs again and
# the outcome and its diagram appear below. Every change is a real `Set-WebBinding` in your lab; the
# editor shows the command it ran.

# %%
from casl.render.widgets import binding_editor

binding_editor(lab, "ServerA", user="UserA", url="https://mail.contoso.com/owa")

# %% [markdown]
# ## Checked exercises
#
# ### Exercise 1: which hop failed?
#
# Look back at the request UserA made after the binding moved to 445. Give the **kind** of the first hop
# that failed (one of `dns`, `tcp`, `tls`, `http`, `auth`, `proxy`, `worker`, `rpc`, `store`), and the
# server on which it failed.

# %% casl={"exercise": "bindings.failed-hop", "role": "answer"}
### BEGIN SOLUTION
failed_hop = "proxy"
failed_on = "ServerA"
### END SOLUTION

# %% casl={"exercise": "bindings.failed-hop", "role": "check"}
casl.exercise("bindings.failed-hop").check()

# %% [markdown]
# ### Exercise 2: where does UserB's request go?
#
# Which server's back end serves UserB's OWA, and which application pool's worker on ServerA proxies the
# request there?

# %% casl={"exercise": "bindings.userb-path", "role": "answer"}
### BEGIN SOLUTION
userb_backend = "ServerB"
proxy_pool = "MSExchangeOWAAppPool"
### END SOLUTION

# %% casl={"exercise": "bindings.userb-path", "role": "check"}
casl.exercise("bindings.userb-path").check()

# %% [markdown]
# ### Exercise 3: the wrong repair
#
# After someone added https on 443 to the Exchange Back End, what did UserA's browser show (one of `ok`,
# `blank-page`, `certificate-warning`, `connection-refused`, `connection-timeout`, `http-error`,
# `name-not-resolved`), and which site did IIS leave stopped?

# %% casl={"exercise": "bindings.wrong-repair", "role": "answer"}
### BEGIN SOLUTION
outcome_after = "blank-page"
stopped_site = "Exchange Back End"
### END SOLUTION

# %% casl={"exercise": "bindings.wrong-repair", "role": "check"}
casl.exercise("bindings.wrong-repair").check()

# %% [markdown]
# ### Exercise 4: repair ServerA
#
# This lab, `bindings-445`, starts with the back end's https binding on ServerA moved to 445. Repair it
# so that UserA can read mail again, with the binding exactly as Exchange set it up. The check sends a
# request through a copy of your lab.

# %%
lab = casl.open_lab("bindings-445")

# %% casl={"exercise": "bindings.repair-445", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 444
### END SOLUTION

# %% casl={"exercise": "bindings.repair-445", "role": "check"}
casl.exercise("bindings.repair-445").check()

# %% [markdown]
# ### Exercise 5: who is hurt by the blocked port?
#
# The lab `bindings-blocked` has a firewall rule somewhere that drops 444 between the servers. Use the
# scratch cell to browse as both users and to look at the firewall rules; then say which users fail and
# on which server the rule lives.

# %%
lab = casl.open_lab("bindings-blocked")
for user in ("UserA", "UserB"):
    print(user, lab.browse(user, "https://mail.contoso.com/owa").outcome)

# %% casl={"exercise": "bindings.blocked-who", "role": "answer"}
### BEGIN SOLUTION
failing_users = {"UserB"}
blocked_on = "ServerB"
### END SOLUTION

# %% casl={"exercise": "bindings.blocked-who", "role": "check"}
casl.exercise("bindings.blocked-who").check()

# %% [markdown]
# ### Exercise 6: let 444 through again
#
# Remove what blocks 444, on the server where it is.

# %% casl={"exercise": "bindings.unblock-444", "role": "answer"}
# %%ps ServerB
### BEGIN SOLUTION
Remove-NetFirewallRule -DisplayName 'Block Exchange 444'
### END SOLUTION

# %% casl={"exercise": "bindings.unblock-444", "role": "check"}
casl.exercise("bindings.unblock-444").check()

# %% [markdown]
# ## Recap: on a real server
#
# * Clients reach the **Default Web Site on 443**; the front end proxies to the **Exchange Back End on
#   444** of the server holding the user's active database, even when that server is itself.
# * A blank page right after a successful logon points at the proxy hop: check the back end's bindings
#   (`Get-WebBinding -Name 'Exchange Back End'`), that 444 answers (`Test-NetConnection SERVER -Port
#   444`), and its certificate (`netsh http show sslcert`).
# * Leave the back end at `http *:81:` and `https *:444:`, All Unassigned, no host name. Never give it 443.
# * If only users on *some* servers fail, suspect the path between the servers: a firewall or a network
#   device blocking 444.
