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
# # 03 · netstat and PIDs: who talks to whom
#
# **Time:** 30 minutes. **Lab:** `two-servers` (UserA's mailbox on ServerA, UserB's on ServerB, both
# coming in through ServerA), then captures from a "mystery server", then your own.
#
# ## What you will be able to do
#
# * watch the proxy at work with `netstat -ano`: the browser's connection to 443, and the much busier 444;
# * turn a PID into a process (`tasklist`, `Get-Process`) and a w3wp PID into its application pool
#   (`appcmd list wp`);
# * tell a client connection, a proxy to another server, a health probe and a listener apart;
# * read captures from a real server, with casl's parsers doing the joining.

# %% [markdown]
# ## The idea
#
# Every row of `netstat -ano` is one end of a TCP connection: local address and port, remote address and
# port, state, and the **PID** that owns the local end. On an Exchange server the rows around 443 and 444
# tell the story of the proxy:
#
# ```mermaid
# flowchart LR
#     B["iexplore.exe<br/>(browser PID)"] -->|"to :443"| S["System, PID 4<br/>http.sys accepts"]
#     S --> W["w3wp.exe<br/>MSExchangeOWAAppPool"]
#     W -->|"to ServerB:444<br/>(PID of that w3wp)"| R["ServerB<br/>PID 4 accepts"]
#     P["MSExchangeHMWorker.exe<br/>ServiceHost, MailboxAssistants"] -->|"to localhost:444"| S
# ```
#
# Listening sockets for IIS and the accepting end of each connection belong to PID 4 (System), because the
# kernel's HTTP driver, http.sys, does the listening. The outgoing end belongs to whoever called.

# %% [markdown]
# ## Explore the live lab
#
# As in the article, open OWA with a browser **on ServerA itself**: first UserA (mailbox on ServerA), then
# UserB (mailbox on ServerB).

# %%
import casl

lab = casl.open_lab("two-servers")
for user in ("UserA", "UserB"):
    print(user, lab.browse(user, "https://servera.contoso.com/owa", where="ServerA").outcome)

# %% [markdown]
# The connections to 443 first. One row is the browser's end (its PID), one is http.sys accepting it
# (PID 4); UserA's earlier connection lingers in TIME_WAIT, which always shows PID 0.

# %%
# %ps ServerA: netstat -ano | findstr :443

# %% [markdown]
# Which process is the browser? Look its PID up:

# %%
# %ps ServerA: tasklist /fi "imagename eq iexplore.exe"

# %% [markdown]
# Now 444. It is much busier: the OWA worker proxying UserB to ServerB, and Exchange's own background
# processes calling the local back end all the time (health probes, maintenance).

# %%
# %ps ServerA: netstat -ano | findstr :444

# %% [markdown]
# Turn the PIDs into names. `appcmd list wp` gives each w3wp's pool; `tasklist /svc` names everything else
# with the services it hosts.

# %%
# %%ps ServerA
appcmd list wp
tasklist /svc /fi "imagename eq MSExchange*"
Get-Process -Id 4

# %% [markdown]
# ## Break it: recycle a pool and watch its flows go
#
# A recycled pool gets a new worker with a new PID. The old worker's connections are closed: its end of
# the proxy connection to ServerB goes to TIME_WAIT (PID 0), and the new worker owns nothing until the next
# request arrives.

# %%
# %%ps ServerA
Restart-WebAppPool MSExchangeOWAAppPool
appcmd list wp /apppool.name:MSExchangeOWAAppPool
netstat -ano | findstr 10.0.0.12:444

# %% [markdown]
# ## Diagnose with real commands
#
# netstat text is easier to reason about as a table. `casl.parse.read_netstat` reads any netstat output
# (with or without `-b`, filtered or not, in English, German or French), and `casl.parse.classify_flows`
# joins it with `tasklist` and `appcmd list wp` captures and names every flow. Here on ServerA, after one
# more request from UserB:

# %%
from casl import parse

lab.browse("UserB", "https://servera.contoso.com/owa", where="ServerA")
flows = parse.classify_flows(parse.read_netstat(lab.run("ServerA", "netstat -ano")),
                             parse.read_tasklist(lab.run("ServerA", "tasklist /svc")),
                             parse.read_appcmd_wp(lab.run("ServerA", "appcmd list wp")),
                             server_addresses=("10.0.0.11",), other_exchange_servers=("10.0.0.12",))
flows[flows.remote_port.isin([443, 444]) | flows.local_port.isin([443, 444])][
    ["local_address", "local_port", "remote_address", "remote_port", "state", "pid", "image", "app_pool", "flow"]]

# %% [markdown]
# ## Repair
#
# Nothing is broken here: a recycle is how you reload an application, and the next request simply opens new
# connections from the new worker. What to remember when reading a capture after a recycle: a PID from
# before it may no longer exist, and TIME_WAIT rows point at flows that have already ended.

# %%
# %ps ServerA: netstat -ano | findstr 10.0.0.12:444

# %% [markdown]
# ## The mystery server
#
# `data/mystery-server/` holds three captures an administrator saved from a server: `netstat -anob`,
# `tasklist /svc` and `appcmd list wp`. Read them together (the first rows; the whole table has a `flow` and a
# `why` column too, which is how you can check your own reading afterwards):

# %%
from casl.paths import data_path

def capture(name):
    return data_path(f"mystery-server/{name}").read_text(encoding="utf-8")

mystery = parse.classify_flows(parse.read_netstat(capture("netstat-anob.txt")),
                               parse.read_tasklist(capture("tasklist-svc.txt")),
                               parse.read_appcmd_wp(capture("appcmd-list-wp.txt")),
                               server_addresses=("10.0.0.11",), other_exchange_servers=("10.0.0.12",))
mystery[["local_address", "local_port", "remote_address", "remote_port", "state", "pid", "image", "app_pool"]].head(8)

# %% [markdown]
# The raw text is worth reading too, for example the rows around 444 with the owner lines `-b` adds:

# %%
print("\n".join(line for line in capture("netstat-anob.txt").splitlines()[:12]))

# %% [markdown]
# ### Bring your own capture
#
# Paste the output of `netstat -ano` (or `-anob`) from one of your servers between the triple quotes and
# run the cell. Nothing leaves your machine. A line that is not netstat output is reported with its line
# and column.

# %%
my_capture = """
  TCP    0.0.0.0:443            0.0.0.0:0              LISTENING       4
  TCP    192.0.2.20:443         198.51.100.7:51544     ESTABLISHED     4
  TCP    192.0.2.20:52110       192.0.2.21:444         ESTABLISHED     7312
"""
parse.read_netstat(my_capture)[["local_address", "local_port", "remote_address", "remote_port", "state", "pid"]]

# %% [markdown]
# ## Checked exercises
#
# All five are about the mystery server's captures (`mystery` above, or the raw files).
#
# ### Exercise 1: the proxy to the other server
#
# Which PID proxies a user's request to ServerB (10.0.0.12) on 444, and which application pool does that
# worker serve?

# %% casl={"exercise": "netstat.proxy-pid", "role": "answer"}
### BEGIN SOLUTION
proxy_pid = 1596
proxy_pool = "MSExchangeOWAAppPool"
### END SOLUTION

# %% casl={"exercise": "netstat.proxy-pid", "role": "check"}
casl.exercise("netstat.proxy-pid").check()

# %% [markdown]
# ### Exercise 2: a connection over [::1]
#
# Which process (image name) holds the connection from `[::1]:63582` to `[::1]:444`?

# %% casl={"exercise": "netstat.probe-owner", "role": "answer"}
### BEGIN SOLUTION
probe_image = "MSExchangeHMWorker.exe"
### END SOLUTION

# %% casl={"exercise": "netstat.probe-owner", "role": "check"}
casl.exercise("netstat.probe-owner").check()

# %% [markdown]
# ### Exercise 3: how many remote 444 flows?
#
# How many established connections go from this server to port 444 of another Exchange server?

# %% casl={"exercise": "netstat.remote-count", "role": "answer"}
### BEGIN SOLUTION
remote_444_flows = 1
### END SOLUTION

# %% casl={"exercise": "netstat.remote-count", "role": "check"}
casl.exercise("netstat.remote-count").check()

# %% [markdown]
# ### Exercise 4: the listeners of PID 4
#
# Every IIS port (80, 443, 81, 444) is LISTENING with PID 4. Which component really listens there?

# %% casl={"exercise": "netstat.pid4-listener", "role": "answer"}
### BEGIN SOLUTION
listener = "http.sys"
### END SOLUTION

# %% casl={"exercise": "netstat.pid4-listener", "role": "check"}
casl.exercise("netstat.pid4-listener").check()

# %% [markdown]
# ### Exercise 5: the recycled pool
#
# The README says an application pool was recycled between the two users' visits. Which one?

# %% casl={"exercise": "netstat.recycled-pool", "role": "answer"}
### BEGIN SOLUTION
recycled_pool = "MSExchangeECPAppPool"
### END SOLUTION

# %% casl={"exercise": "netstat.recycled-pool", "role": "check"}
casl.exercise("netstat.recycled-pool").check()

# %% [markdown]
# ## Recap: on a real server
#
# * `netstat -ano | findstr :444` shows the proxy at work; add `-b` (as administrator) to see owners.
# * PID 4 (System) is http.sys: it listens for IIS and owns the accepting end. The calling end's PID is
#   the interesting one: `tasklist /fi "PID eq N"`, `Get-Process -Id N`, and for w3wp `appcmd list wp`.
# * A front end's w3wp connecting to another server's 444 is a user whose mailbox lives there; the Exchange
#   background processes calling the local 444 all the time are normal.
# * After a recycle, PIDs change and old flows end in TIME_WAIT (PID 0): capture again before concluding.
