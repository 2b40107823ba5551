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
# # 01 · The IIS layout of an Exchange 2013 server
#
# **Time:** 30 minutes. **Lab:** `iis-layout`, one multi-role Exchange 2013 CU6 server (ServerA).
#
# ## What you will be able to do
#
# * name the two IIS sites of an Exchange 2013 server, the role each one plays, and their bindings;
# * find which application pool runs an application, and which process runs that pool;
# * choose the gentlest restart that makes a change take effect, and say why `iisreset` without
#   `/noforce` is the last resort;
# * walk the `IIS:\` drive like a folder tree and save a listing to a file;
# * compare a healthy listing with a broken one to find what changed;
# * know which bindings you must leave exactly as Exchange set them.

# %% [markdown]
# ## The idea
#
# Exchange 2013 puts both of its web roles into IIS on the same machine, as **two web sites**:
#
# * the **Default Web Site** (site ID 1) is the *front end*, the Client Access role. Every client
#   (browser, Outlook, phone) talks to it on **80** and **443**. It does very little work itself: it
#   authenticates the user, finds the server that holds the user's mailbox, and proxies the request.
# * the **Exchange Back End** (site ID 2) is the *back end*, the Mailbox role. Only Exchange talks to it:
#   front ends proxy to it on **444** (HTTPS), and it also listens on **81** (HTTP).
#
# Both sites contain the same applications (`/owa`, `/ecp`, `/EWS`, `/Microsoft-Server-ActiveSync`,
# ...). Each application runs in an **application pool**, and most pools serve the application on *both*
# sites. A started pool runs in its own worker process, **w3wp.exe**. The IIS configuration itself is
# looked after by the **IIS Admin Service** in **inetinfo.exe**; the **World Wide Web Publishing
# Service** (W3SVC) and the **Windows Process Activation Service** (WAS) share a svchost.exe and start
# the workers.
#
# ```mermaid
# flowchart LR
#     C["Clients<br/>browser, Outlook, phone"] -->|"https 443 / http 80"| DWS
#     subgraph ServerA["ServerA: IIS"]
#         DWS["Default Web Site (ID 1)<br/>front end, Client Access"] -->|"proxy over https 444"| EBE["Exchange Back End (ID 2)<br/>back end, Mailbox"]
#         DWS -.- P1["w3wp.exe<br/>MSExchangeOWAAppPool"]
#         EBE -.- P1
#         CFG["inetinfo.exe<br/>IIS Admin: configuration"]
#     end
# ```

# %% [markdown]
# ## Explore the live lab
#
# Open the lab. If you worked in it before, your changes come back; `lab.reset()` starts it afresh.

# %%
import casl

lab = casl.open_lab("iis-layout")

# %% [markdown]
# ### The two sites and their bindings
#
# A **binding** ties a site to a protocol, an IP address (`*` or empty means *All Unassigned*), a port
# and, optionally, a host name; an https binding also carries a certificate. Load the IIS module and ask
# for the bindings of each site.

# %%
# %%ps ServerA
Import-Module WebAdministration
Get-WebBinding -Name 'Default Web Site'
Get-WebBinding -Name 'Exchange Back End'

# %% [markdown]
# Read them carefully: the front end has `http *:80:` and `https :443:` (the https binding is written
# with an empty address, which IIS treats like `*`), plus two loopback bindings Exchange adds for local
# callers and the `net.*` bindings that Windows services use. The back end has `http *:81:` and
# `https *:444:`. The https bindings of both sites use the same self-signed "Microsoft Exchange"
# certificate when the server is new; `IIS:\SslBindings` shows which address and port each certificate
# binding covers.

# %%
# %ps Get-ChildItem IIS:\SslBindings

# %% [markdown]
# The same bindings as a table, one row per binding, sorted by site:

# %%
lab.table("bindings")

# %% [markdown]
# ### Walking `IIS:\` like a folder tree
#
# The WebAdministration module mounts IIS as a drive. `cd` moves into a site, `dir` lists its
# applications and virtual directories, and `cd ..` goes back up, just as in a file system.

# %%
# %%ps ServerA
cd IIS:\Sites
dir
cd 'Default Web Site'
Get-Location
dir

# %% [markdown]
# Go back to the top of the drive and look at the application pools. The `Applications` column shows
# that a single pool can serve an application on both sites.

# %%
# %%ps ServerA
cd ..
cd ..
dir AppPools | Format-Table

# %% [markdown]
# To see exactly which pool each application of a site uses, ask for the `applicationPool` property:

# %%
# %ps Get-WebApplication -Site 'Exchange Back End' | Select-Object path,applicationPool

# %% [markdown]
# Or explore with the widget below: pick a site, then switch between its bindings and its applications.
# The widget reads the lab each time you click, so it always shows the current state.

# %%
from casl.render.widgets import site_explorer

site_explorer(lab, "ServerA")

# %% [markdown]
# ### Which process does what
#
# `appcmd list wp` maps each running worker process (by PID) to its pool. `Get-Service` shows the three
# IIS services, and `Get-Process` the processes behind them.

# %%
# %%ps ServerA
appcmd list wp
Get-Service IISADMIN, WAS, W3SVC
Get-Process inetinfo

# %% [markdown]
# ## Break it: restarts that hurt, and restarts that help
#
# When a change does not seem to take effect, there is a ladder of things to restart, from gentle to
# brutal:
#
# | step | command | what it interrupts |
# |---|---|---|
# | recycle one pool | `Restart-WebAppPool NAME` | that pool's worker, on every site that uses it |
# | stop and start one site | `Stop-Website` / `Start-Website` | that site's listeners |
# | graceful IIS restart | `iisreset /noforce` | every site and pool, but IIS may finish saving |
# | forced IIS restart | `iisreset` | everything, and services that do not stop in time are killed |
#
# Recycle the OWA pool and watch its worker get a new PID, while every other worker keeps its own:

# %%
# %%ps ServerA
Restart-WebAppPool MSExchangeOWAAppPool
appcmd list wp

# %% [markdown]
# Now the dangerous end of the ladder. Change an authentication setting on `/ecp` (turn Windows
# authentication on), then restart IIS the forceful way. In this lab, as the warning on real servers goes,
# IIS Admin has not saved the change yet, the forced restart kills it before it can, and the change is
# gone:

# %%
# %%ps ServerA
$f = '/system.webServer/security/authentication/windowsAuthentication'
Set-WebConfigurationProperty -Filter $f -Name enabled -Value True -PSPath IIS:\ -Location 'Default Web Site/ecp'
iisreset
Get-WebConfigurationProperty -Filter $f -Name enabled -PSPath IIS:\ -Location 'Default Web Site/ecp'

# %% [markdown]
# Do it again with `/noforce`: IIS gets to stop cleanly, and the change survives.

# %%
# %%ps ServerA
Set-WebConfigurationProperty -Filter $f -Name enabled -Value True -PSPath IIS:\ -Location 'Default Web Site/ecp'
iisreset /noforce
Get-WebConfigurationProperty -Filter $f -Name enabled -PSPath IIS:\ -Location 'Default Web Site/ecp'

# %% [markdown]
# The lab kept a record of what the forced restart threw away:

# %%
[change.description for change in lab.server("ServerA").lost_changes]

# %% [markdown]
# ## Diagnose with real commands: save, then compare
#
# The quickest way to find what is wrong with a server is to compare it with one that works, or with
# itself before the trouble started. Send a listing to a file with `> C:\file.txt` (or `| Out-File`),
# and compare two files with `Compare-Object`. Save the pools as they are now, stop one pool to play
# the broken server, and save again:

# %%
# %%ps ServerA
dir IIS:\AppPools | Format-List > C:\pools-good.txt
Stop-WebAppPool MSExchangeSyncAppPool
dir IIS:\AppPools | Format-List > C:\pools-now.txt
Compare-Object (Get-Content C:\pools-good.txt) (Get-Content C:\pools-now.txt)

# %% [markdown]
# `<=` marks a line that is only in the first file (the reference), `=>` a line only in the second. Here
# one pool went from Started to Stopped: ActiveSync phones would now get errors.
#
# ## Repair
#
# Start the pool again and compare once more; no output from `Compare-Object` means the listings match.

# %%
# %%ps ServerA
Start-WebAppPool MSExchangeSyncAppPool
dir IIS:\AppPools | Format-List > C:\pools-now.txt
Compare-Object (Get-Content C:\pools-good.txt) (Get-Content C:\pools-now.txt)
dir C:\

# %% [markdown]
# ## Checked exercises
#
# The exercises use their own lab, `iis-layout-exercises`. Before you arrived, someone saved the healthy
# server's bindings to `C:\bindings-good.txt` with `Get-WebBinding | Format-List`, and then installed a
# web application that changed one binding. Open it:

# %%
lab = casl.open_lab("iis-layout-exercises")

# %% [markdown]
# ### Exercise 1: the OWA pool
#
# Which application pool runs `/owa` on the Default Web Site, and on which **sites** does recycling that
# pool interrupt OWA? Give the pool's name and a set of site names.

# %% casl={"exercise": "iis.owa-pool", "role": "answer"}
### BEGIN SOLUTION
owa_pool = "MSExchangeOWAAppPool"
owa_pool_sites = {"Default Web Site", "Exchange Back End"}
### END SOLUTION

# %% casl={"exercise": "iis.owa-pool", "role": "check"}
casl.exercise("iis.owa-pool").check()

# %% [markdown]
# ### Exercise 2: configuration and workers
#
# Which executable hosts the IIS Admin Service, where the IIS configuration is looked after, and which
# executable runs the code of an application pool?

# %% casl={"exercise": "iis.processes", "role": "answer"}
### BEGIN SOLUTION
config_process = "inetinfo.exe"
pool_process = "w3wp.exe"
### END SOLUTION

# %% casl={"exercise": "iis.processes", "role": "check"}
casl.exercise("iis.processes").check()

# %% [markdown]
# ### Exercise 3: reload OWA, and only OWA
#
# A colleague changed an OWA setting, and OWA still behaves the old way. Make OWA load again **without
# interrupting any other application**. Type the command(s) in the `%%ps ServerA` cell; the check looks at
# the worker processes of the lab, not at what you typed.

# %% casl={"exercise": "iis.gentle-reload", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Restart-WebAppPool MSExchangeOWAAppPool
### END SOLUTION

# %% casl={"exercise": "iis.gentle-reload", "role": "check"}
casl.exercise("iis.gentle-reload").check()

# %% [markdown]
# ### Exercise 4: what did the installer change?
#
# Save the bindings as they are now to a second file, compare it with `C:\bindings-good.txt`, and write
# the binding as it was (`changed_from`) and as it is now (`changed_to`), in the form `"http *:80:"`.
# Use the scratch cell below.

# %%
# %%ps ServerA
Get-WebBinding | Format-List > C:\bindings-now.txt
Get-ChildItem C:\

# %% casl={"exercise": "iis.compare-listings", "role": "answer"}
### BEGIN SOLUTION
changed_from = "http *:81:"
changed_to = "http *:8081:"
### END SOLUTION

# %% casl={"exercise": "iis.compare-listings", "role": "check"}
casl.exercise("iis.compare-listings").check()

# %% [markdown]
# ### Exercise 5: put it back
#
# Restore the binding exactly as it was on the healthy server.

# %% casl={"exercise": "iis.restore-binding", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:8081:' -PropertyName Port -Value 81
### END SOLUTION

# %% casl={"exercise": "iis.restore-binding", "role": "check"}
casl.exercise("iis.restore-binding").check()

# %% [markdown]
# ### Exercise 6: hands off
#
# One site's bindings must stay exactly as Exchange set them up: change them and the front end can no
# longer reach the mailboxes. Which site is it?

# %% casl={"exercise": "iis.hands-off", "role": "answer"}
### BEGIN SOLUTION
hands_off_site = "Exchange Back End"
### END SOLUTION

# %% casl={"exercise": "iis.hands-off", "role": "check"}
casl.exercise("iis.hands-off").check()

# %% [markdown]
# ## Recap: on a real server
#
# * **Two sites.** Default Web Site (ID 1) = front end, clients, 80/443. Exchange Back End (ID 2) =
#   mailbox side, 81/444, reached only through the front end's proxy. Leave the back end's bindings as
#   they are; a repair that moves them usually makes things worse.
# * **Pools and processes.** Each application names its pool; most pools serve both sites. One w3wp.exe
#   per started pool (`appcmd list wp` gives the PID to pool map); inetinfo.exe holds IIS Admin.
# * **Restart gently.** Recycle the pool or stop/start the site first; `iisreset /noforce` next; a forced
#   restart only when nothing else works, because a change IIS has not saved yet can be lost.
# * **Save and compare.** `dir | fl > C:\file.txt` on a healthy server and on the sick one, then
#   `Compare-Object`. It is also the easiest thing to ask someone to run and send back.
