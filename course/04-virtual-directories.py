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
# # 04 · Virtual directories: back up, reset, recreate
#
# **Time:** 35 minutes. **Lab:** `vdirs`, two multi-role servers. ServerA's OWA has customised URLs;
# ServerB is a healthy server to compare with.
#
# ## What you will be able to do
#
# * list Exchange's virtual directories on both sites, and save their settings before touching them;
# * reset a directory from the admin center and from the shell, on the Default Web Site or on the
#   Exchange Back End, and restore the customisations afterwards;
# * restart IIS the graceful way so that a re-created directory serves again;
# * get the Exchange Management Shell back when the PowerShell directory itself is broken: load the
#   local snap-in, compare the modules with a healthy server, and repair them.

# %% [markdown]
# ## The idea
#
# Exchange keeps each virtual directory twice: as an **object in Active Directory** (what
# `Get-OwaVirtualDirectory` shows: URLs, authentication, dozens of settings) and as an **application
# in IIS** (what `Get-WebApplication` shows: path, pool, physical folder). Recreating a directory removes
# both and builds them again **with defaults**, so every customisation is lost unless you saved it.
#
# ```mermaid
# flowchart LR
#     S["Save the settings<br/>Get-...VirtualDirectory | Format-List > file"] --> R["Remove<br/>AD object + IIS application"]
#     R --> N["New, on the right site<br/>-WebSiteName, -Role"]
#     N --> I["iisreset /noforce<br/>(the new directory serves)"]
#     I --> C["Restore the customisations<br/>Set-...VirtualDirectory from the backup"]
# ```
#
# Recreating is a last resort, after the usual checks have failed. The PowerShell directory is a
# special case: it is how the Exchange Management Shell connects, so when it is broken you repair it
# from a plain PowerShell console with the local Exchange snap-in.

# %% [markdown]
# ## Explore the live lab
#
# The console on ServerA is a plain Windows PowerShell. Exchange's cmdlets arrive with a session to the
# server's PowerShell directory, which is exactly what the Exchange Management Shell opens for you:

# %%
import casl

lab = casl.open_lab("vdirs")

# %%
# %%ps ServerA
$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://ServerA.contoso.com/PowerShell/ -Authentication Kerberos
Import-PSSession $Session -DisableNameChecking | Out-Null
Get-OwaVirtualDirectory -Server ServerA -ShowMailboxVirtualDirectories | Format-Table Name, InternalUrl, ExternalUrl

# %% [markdown]
# By default the `Get-` cmdlets list the front end's directories; `-ShowMailboxVirtualDirectories` adds
# the back end's. The same directory as an IIS application, with its pool and folder:

# %%
# %ps ServerA: Get-WebApplication -Site 'Default Web Site' -Name owa | Format-List path, applicationPool, physicalPath

# %% [markdown]
# ## Break it: a reset throws the customisations away
#
# First, the habit that saves you: **back up before you reset**. The admin center insists on it: its
# reset asks for a folder and writes the current settings there before it deletes anything.

# %%
backup = lab.eac_reset_virtual_directory("ServerA", r"ServerA\owa (Default Web Site)", r"\\ServerA\c$\Backup")
backup

# %% [markdown]
# Without a folder, the lab refuses, as the admin center does (the cell is expected to raise):

# %% tags=["raises-exception"]
# NBVAL_RAISES_EXCEPTION
lab.eac_reset_virtual_directory("ServerA", r"ServerA\owa (Default Web Site)", "")

# %% [markdown]
# The directory was removed and created again, with defaults: the customised URLs are gone.

# %%
# %ps ServerA: Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | Format-List Name, InternalUrl, ExternalUrl, WhenCreated

# %% [markdown]
# ## Diagnose with real commands
#
# The backup is a `Format-List` listing on the server's disk. Read it like any listing, or load it into
# Python with `casl.parse.format_list` and compare it with the directory as it is now, setting by
# setting:

# %%
from casl.parse.compare import side_by_side

saved = casl.parse.format_list(lab.server("ServerA").fs.read(r"C:\Backup\owa (Default Web Site).txt"))
now = casl.parse.format_list(lab.run("ServerA", r"Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | Format-List"))
side_by_side(saved, now, names=("backup", "now"), only_differences=True)

# %% [markdown]
# ## Repair
#
# The reset is done, but the new directory serves only once IIS has restarted. Restore the URLs from the
# backup, then restart IIS gracefully:

# %%
# %%ps ServerA
Set-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -InternalUrl https://mail.contoso.com/owa -ExternalUrl https://mail.contoso.com/owa
iisreset /noforce

# %%
lab.browse("UserA", "https://mail.contoso.com/owa").outcome

# %% [markdown]
# ### When the PowerShell directory itself is broken
#
# If the front end's PowerShell directory loses a module, no management shell can connect, and neither
# can the admin center. Break it by removing `kerbauth`, then try to connect:

# %%
# %%ps ServerA
appcmd delete module kerbauth /app.name:"Default Web Site/PowerShell"
Get-PSSession | Remove-PSSession
$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://ServerA.contoso.com/PowerShell/ -Authentication Kerberos

# %% [markdown]
# The error says nothing about modules. The way out is local: load Exchange's snap-in into the console,
# which does not go through IIS at all, and compare the PowerShell directory's modules with a healthy
# server (ServerB):

# %%
# %%ps ServerA
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn
Get-PowerShellVirtualDirectory -Server ServerA | Format-Table Name, InternalUrl
appcmd list modules /app.name:"Default Web Site/PowerShell" > C:\modules-ServerA.txt

# %%
# %ps ServerB: appcmd list modules /app.name:"Default Web Site/PowerShell" > C:\modules-ServerB.txt

# %% [markdown]
# Each listing lives on its own server's disk. From ServerA, read ServerB's through its administrative
# share and compare the two:

# %%
# %ps ServerA: Compare-Object (Get-Content \\ServerB\c$\modules-ServerB.txt) (Get-Content C:\modules-ServerA.txt)

# %% [markdown]
# Permissions on the directory's folder and the antivirus exclusions belong in the same comparison: a
# folder the SYSTEM account cannot read, or a scanner locking Exchange's files, breaks the directory in
# the same silent way.

# %%
# %%ps ServerA
Get-Acl 'C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\PowerShell' | Format-List Path, Owner
Get-MpPreference | Select-Object -ExpandProperty ExclusionPath

# %% [markdown]
# ## Checked exercises
#
# The exercise lab, `vdirs-exercises`, was left in a bad state: the front end's PowerShell directory lost
# a module, and the OWA directory of the Exchange Back End on ServerA was removed. OWA's URLs on ServerA
# were customised before all this. The console on ServerA is plain PowerShell.

# %%
lab = casl.open_lab("vdirs-exercises")

# %% [markdown]
# ### Exercise 1: which module is missing?
#
# Compare the modules of `Default Web Site/PowerShell` on ServerA with ServerB's, and name the missing one.

# %% casl={"exercise": "vdirs.missing-module", "role": "answer"}
### BEGIN SOLUTION
missing_module = "kerbauth"
### END SOLUTION

# %% casl={"exercise": "vdirs.missing-module", "role": "check"}
casl.exercise("vdirs.missing-module").check()

# %% [markdown]
# ### Exercise 2: Exchange cmdlets without the remote shell
#
# Write the command that gives a plain console on the server Exchange's cmdlets even while remote
# PowerShell is broken.

# %% casl={"exercise": "vdirs.snapin", "role": "answer"}
### BEGIN SOLUTION
snapin_command = "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn"
### END SOLUTION

# %% casl={"exercise": "vdirs.snapin", "role": "check"}
casl.exercise("vdirs.snapin").check()

# %% [markdown]
# ### Exercise 3: repair the PowerShell directory
#
# Give the directory its module back, so that the management shell can connect again.

# %% casl={"exercise": "vdirs.fix-powershell", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
appcmd add module /name:kerbauth /app.name:"Default Web Site/PowerShell"
### END SOLUTION

# %% casl={"exercise": "vdirs.fix-powershell", "role": "check"}
casl.exercise("vdirs.fix-powershell").check()

# %% [markdown]
# ### Exercise 4: recreate the missing back-end directory
#
# UserA's mailbox is on ServerA, and OWA gives UserA a 404 after the logon page. Recreate the missing OWA
# directory on the right site, and make it serve.

# %% casl={"exercise": "vdirs.recreate-backend-owa", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn
New-OwaVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName 'Exchange Back End'
iisreset /noforce
### END SOLUTION

# %% casl={"exercise": "vdirs.recreate-backend-owa", "role": "check"}
casl.exercise("vdirs.recreate-backend-owa").check()

# %% [markdown]
# ### Exercise 5: back up the front end's OWA settings
#
# Before you reset the front end's OWA directory, save its settings as a `Format-List` listing in
# `C:\Backup` on ServerA.

# %% casl={"exercise": "vdirs.backup-owa", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn
Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | Format-List > C:\Backup\owa.txt
### END SOLUTION

# %% casl={"exercise": "vdirs.backup-owa", "role": "check"}
casl.exercise("vdirs.backup-owa").check()

# %% [markdown]
# ### Exercise 6: reset from the shell and restore
#
# Recreate the front end's OWA directory from the shell, put its InternalUrl and ExternalUrl back from
# your backup, and restart IIS gracefully.

# %% casl={"exercise": "vdirs.reset-and-restore", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn
Remove-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -Confirm:$false
New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName 'Default Web Site'
Set-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -InternalUrl https://mail.contoso.com/owa -ExternalUrl https://mail.contoso.com/owa
iisreset /noforce
### END SOLUTION

# %% casl={"exercise": "vdirs.reset-and-restore", "role": "check"}
casl.exercise("vdirs.reset-and-restore").check()

# %% [markdown]
# ## Recap: on a real server
#
# * Save first: `Get-OwaVirtualDirectory -Identity ... | Format-List > file` (and the same for ECP, EWS,
#   ActiveSync, OAB, PowerShell, Autodiscover, MAPI). The admin center's reset asks for a folder; give it one.
# * Recreate on the right site: `-WebSiteName 'Default Web Site' -Role ClientAccess` for the front end,
#   `-WebSiteName 'Exchange Back End' -Role Mailbox` for the back end. Then `iisreset /noforce`, then put
#   the customisations back from the backup.
# * When the management shell cannot connect, work locally with
#   `Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn`, and compare the PowerShell directory's
#   modules, folder permissions and antivirus exclusions with a healthy server.
