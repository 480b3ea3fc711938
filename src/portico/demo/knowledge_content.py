"""Demo knowledge-base content for Brightwater Systems: articles, FAQs, news, documents,
categories and search synonyms, loaded by the demo seeding as plain data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoArticle:
    slug: str  # lowercase-hyphenated, unique
    title: str
    summary: str  # one sentence shown under the title in results
    category: str  # one of CATEGORIES' names
    tags: tuple[str, ...]
    products: tuple[str, ...]  # product choice codes, may be empty
    audience: tuple[str, ...]  # "public", "customers", "partners", "employees"; () is staff only
    body: str  # Markdown


@dataclass(frozen=True)
class DemoFaq:
    question: str
    answer: str  # Markdown, 1-4 sentences
    category: str
    audience: tuple[str, ...]


@dataclass(frozen=True)
class DemoNews:
    title: str
    body: str  # Markdown
    audience: tuple[str, ...]
    days_ago: int


@dataclass(frozen=True)
class DemoDocument:
    title: str
    description: str
    filename: str  # .txt or .csv
    content: str  # the file's text
    category: str
    audience: tuple[str, ...]


CATEGORIES: list[tuple[str, str]] = [
    ("Getting started", "First steps with Brightwater equipment, support hours and safe handling."),
    ("AquaSense controllers", "Set-up, alarms, firmware and settings for AquaSense controllers."),
    ("Sensor packs", "Calibrating, cleaning and troubleshooting AquaSense sensor packs."),
    ("ClearFlow pumps and filters", "Dosing pump alarms, calibration, servicing and filter care."),
    ("HydroLink gateway and dashboard", "Connecting gateways and using the cloud dashboard."),
    ("Orders, billing and returns", "Invoices, payments, deliveries, spares, warranty and RMAs."),
    ("Using the portal", "Logging in, passwords, service requests and who can see them."),
    ("Partner resources", "Installer guides, commissioning checklists and partner processes."),
    ("Employee help", "Internal help for Brightwater employees: IT, expenses and leave."),
    ("Service desk internal", "Troubleshooting notes, known issues and escalation for staff."),
]

_PUB = ("public",)
_CUST = ("customers",)
_PART = ("partners",)
_EMP = ("employees",)
_STAFF: tuple[str, ...] = ()

_CTRL = ("aquasense-controller",)
_SENS = ("aquasense-sensor-pack",)
_PUMP = ("clearflow-dosing-pump",)
_FILT = ("clearflow-filter-unit",)
_GATE = ("hydrolink-gateway",)
_DASH = ("hydrolink-cloud-dashboard",)

ARTICLES: list[DemoArticle] = [
    # --- Getting started -------------------------------------------------------------
    DemoArticle(
        slug="brightwater-product-family-overview",
        title="The Brightwater product family at a glance",
        summary="How the AquaSense, ClearFlow and HydroLink ranges fit together on a site.",
        category="Getting started",
        tags=("overview", "products", "range", "introduction"),
        products=(),
        audience=_PUB,
        body="""\
Most Brightwater installations combine three ranges. This overview explains what each
one does so you know which guide to read when something needs attention.

## AquaSense: measure and decide

- **AquaSense controller** - the wall-mounted unit with the colour touchscreen. It reads
  the sensors, compares them with your setpoints and drives the dosing outputs.
- **AquaSense sensor pack** - a flow cell carrying free chlorine, pH, temperature and
  turbidity probes. It sends readings to the controller every second over RS-485.

## ClearFlow: dose and filter

- **ClearFlow dosing pump** - a diaphragm metering pump for sodium hypochlorite, acid
  or coagulant, controlled by a 4-20 mA signal or pulses from the controller.
- **ClearFlow filter unit** - a cartridge and media filter with automatic backwash,
  used on process water and wash-bay recycling loops.

## HydroLink: see it remotely

- **HydroLink gateway** - a small DIN-rail box that collects data from controllers and
  pumps and sends it securely to the cloud over Ethernet, Wi-Fi or 4G.
- **HydroLink cloud dashboard** - the web application where you view trends, set alert
  rules and download compliance reports.

## Where to go next

1. New site? Start with the controller quick-start guide.
2. Planning routine care? See the recommended maintenance schedule.
3. Something wrong? Search the alarm code shown on the display, for example E42 or A03.
""",
    ),
    DemoArticle(
        slug="contacting-brightwater-support",
        title="Contacting Brightwater support: hours, priorities and response times",
        summary="Phone numbers, opening hours and how quickly we respond to each priority.",
        category="Getting started",
        tags=("support", "contact", "hours", "priority", "response time", "sla"),
        products=(),
        audience=_PUB,
        body="""\
Our service desk in Glasgow handles every fault, question and complaint about
Brightwater equipment. The quickest way to reach us depends on how urgent the problem is.

## Opening hours

- Service desk: open in our support hours, shown on the portal home page and beside the
  new request form, with any holiday closures coming up.
- Emergency line for contract customers: for P1 issues only, number on your contract.
- Phone: +44 141 496 0110. Email: support@brightwater.example.

## Priorities and response targets

| Priority | Example | First response |
| --- | --- | --- |
| P1 | dosing stopped, no disinfection on a live supply | 30 minutes |
| P2 | alarms on one line, readings unreliable | 1 hour |
| P3 | configuration question, minor defect | 4 hours |
| P4 | information, quotes, feedback | 8 hours |

Response times are counted in our support hours only, so a P3 logged late on Friday
afternoon is answered on Monday. When you log a request in the portal, the form tells
you the time we will respond by for each priority.

## Before you call

1. Note the serial number from the rating plate of the affected unit.
2. Write down any alarm code shown on the display.
3. If you can, raise the request in the portal first and quote its number on the phone;
   photos and log files attached there save a lot of time.

For anything involving a chemical leak, make the area safe first and follow your site
COSHH procedure before contacting us.
""",
    ),
    DemoArticle(
        slug="recommended-maintenance-schedule",
        title="Recommended maintenance schedule for AquaSense, ClearFlow and HydroLink",
        summary="Weekly, monthly, quarterly and annual tasks that keep your equipment healthy.",
        category="Getting started",
        tags=("maintenance", "schedule", "service interval", "preventive", "checklist"),
        products=_CTRL + _SENS + _PUMP + _FILT + _GATE,
        audience=_CUST,
        body="""\
Planned maintenance prevents most of the call-outs we see. The intervals below suit a
typical site running around the clock; double the frequency for dirty or hard water.

## Weekly

- Check the controller display for active or acknowledged alarms.
- Look along the dosing lines and injection fittings for weeping or white crystals.
- Confirm the chemical day tank holds at least three days' stock.

## Monthly

- Verify free chlorine against a DPD photometer test and adjust the calibration if the
  difference is more than 0.1 mg/l.
- Clean the flow cell and sample strainer.
- Check the filter unit differential pressure gauge and backwash counter.

## Quarterly

- Two-point pH calibration with fresh buffers.
- Drawdown test on each ClearFlow dosing pump to confirm its output.
- Export a trend report from the HydroLink dashboard and review overnight dips.

## Annually

- Fit the pump service kit (diaphragm, valve balls and seals).
- Replace the chlorine sensor membrane cap and electrolyte.
- Replace filter cartridges and O-rings, even if pressure is still within limits.
- Install the latest firmware on controllers, sensor packs and gateways.

Keep a record of each task. A maintenance log template is available in Documents, and
a service contract can cover all annual work.
""",
    ),
    DemoArticle(
        slug="handling-sodium-hypochlorite-safely",
        title="Handling sodium hypochlorite safely",
        summary="Protective equipment, storage, spill response and first aid for chlorine dosing.",
        category="Getting started",
        tags=("safety", "chlorine", "hypochlorite", "coshh", "ppe", "spill", "first aid"),
        products=_PUMP,
        audience=_PUB,
        body="""\
Sodium hypochlorite is the liquid chlorine most of our dosing pumps deliver. It is
corrosive to skin and eyes and releases chlorine gas if it meets acid, so treat every
container and dosing line with care.

## Personal protective equipment

- Chemical splash goggles or a full face visor.
- Nitrile or PVC gauntlets and a chemical-resistant apron.
- Safety boots; keep an eyewash station within ten seconds' reach.

## Storage

1. Store drums in a bunded area, out of direct sunlight and below 25 degrees C.
2. Never store hypochlorite next to acid, coagulant or pH-minus products.
3. Label every day tank and keep the safety data sheet beside it.
4. Use stock within three months; it loses strength as it ages.

## If there is a spill or leak

1. Stop the ClearFlow pump and isolate the suction and discharge valves.
2. Keep people away and ventilate the area.
3. Contain the liquid with inert absorbent; do not use sawdust.
4. Dilute small residues with plenty of water and report the spill to your supervisor.

## First aid

- Eyes: rinse with clean water for at least 15 minutes and get medical help.
- Skin: remove contaminated clothing and wash thoroughly.
- Inhaled gas: move to fresh air and seek medical advice.

A one-page safety card is available in Documents for posting beside the dosing skid.
""",
    ),
    # --- AquaSense controllers ----------------------------------------------------------
    DemoArticle(
        slug="aquasense-controller-quick-start",
        title="Quick-start guide for the AquaSense controller",
        summary="Power up, choose a language, pair the sensor pack and set your first setpoints.",
        category="AquaSense controllers",
        tags=("quick start", "setup", "first use", "commissioning", "wizard"),
        products=_CTRL,
        audience=_PUB,
        body="""\
The AquaSense controller guides you through a set-up wizard the first time it is
switched on. Allow about 20 minutes, with the sensor pack already plumbed in and full
of sample water.

## Before you begin

- Mount the controller at eye level, away from direct splashes and sunlight.
- Have the sensor pack serial number and your site's network details to hand.

## Running the wizard

1. Switch on the isolator. The Brightwater logo appears, followed by the language list.
2. Choose your language, then set the date, time zone and, if you have one, an NTP
   server address.
3. On **Find sensors**, press **Scan**. The controller lists every sensor pack on the
   RS-485 bus; tick yours and confirm the serial number.
4. Choose the measuring program: chlorine only, chlorine and pH, or chlorine, pH and
   turbidity.
5. Enter the starting setpoints. Typical values are 1.0 mg/l free chlorine and pH 7.2.
6. Assign outputs: relay or 4-20 mA channel for each ClearFlow pump.
7. Set an administrator PIN and note it somewhere safe.

## After the wizard

- Leave the sensor pack to polarise for two hours before calibrating.
- Calibrate chlorine and pH as described in the sensor pack articles.
- Connect the controller to a HydroLink gateway if you want remote monitoring.
""",
    ),
    DemoArticle(
        slug="aquasense-clock-drift-ntp",
        title="AquaSense controller clock drifts or shows the wrong time",
        summary="Configure an NTP time server so the controller clock stays in step with SCADA.",
        category="AquaSense controllers",
        tags=("clock", "time", "ntp", "time server", "drift", "timestamps", "scada"),
        products=_CTRL,
        audience=_CUST,
        body="""\
The controller keeps time with an internal quartz clock. On its own that clock can gain
or lose several minutes a week, especially in warm plant rooms, so log entries and
trends stop lining up with your SCADA system or the HydroLink dashboard.

## Why it happens

The controller only corrects its clock when it can reach a time server. If the **NTP
server** field is blank, or the server is unreachable, drift builds up silently. A
common sign is a clock that is a few minutes fast after every weekend.

## Setting the NTP server

1. Log in with the administrator PIN and open **Settings > Date and time**.
2. Set **Time source** to **NTP**.
3. Enter your site's time server, for example the domain controller's address, or
   `pool.ntp.org` if the controller has internet access.
4. Leave the sync interval at 60 minutes unless your IT team asks otherwise.
5. Press **Sync now**. The status line should read *Synchronised* within a minute.

## If it still drifts

- Check that UDP port 123 is open between the controller and the time server.
- Make sure the time zone is *Europe/London* so summer time changes are applied.
- Controllers on firmware older than 4.1 ignore NTP after a power cut; update the
  firmware.
""",
    ),
    DemoArticle(
        slug="aquasense-controller-firmware-update",
        title="Updating AquaSense controller firmware",
        summary="Install a new controller firmware release from a USB stick or over HydroLink.",
        category="AquaSense controllers",
        tags=("firmware", "update", "upgrade", "usb", "release", "version"),
        products=_CTRL,
        audience=_CUST,
        body="""\
We release controller firmware two or three times a year with fixes and new features.
The current release is 4.2; the release notes are in Documents. An update takes about
ten minutes, during which dosing stops, so plan it for a quiet period.

## Check your version

Open **Menu > About**. The firmware version and build date appear under the serial
number.

## Update from a USB stick

1. Download the firmware file from the portal's Documents area. It ends in `.aqf`.
2. Copy it to the root folder of a FAT32-formatted USB stick.
3. Back up the configuration first (**Settings > Backup > Save to USB**).
4. Insert the stick in the port behind the front cover.
5. Open **Settings > Maintenance > Firmware update** and choose the file.
6. Confirm. The screen goes dark, the status LED flashes amber, then the controller
   restarts on its own. Do not switch it off while the LED flashes.

## Update over HydroLink

If the controller is connected to a HydroLink gateway, an administrator can push the
update from the dashboard under **Devices > Firmware**. Schedule it for an agreed time.

## Afterwards

- Check the version under **Menu > About**.
- Confirm setpoints and outputs are unchanged and dosing has resumed.
- If the update fails, the controller rolls back to the previous version automatically.
""",
    ),
    DemoArticle(
        slug="aquasense-alarm-a03-sensor-communication",
        title="AquaSense alarm A03: sensor communication lost",
        summary="The controller has stopped hearing from the sensor pack on the RS-485 bus.",
        category="AquaSense controllers",
        tags=("alarm", "a03", "error code", "rs-485", "communication", "bus", "wiring"),
        products=_CTRL + _SENS,
        audience=_CUST,
        body="""\
Alarm **A03** means the controller has had no reply from the sensor pack for more than
30 seconds. While A03 is active the controller holds its dosing outputs at the safe
level you chose during set-up, usually off.

## Likely causes

- The RS-485 cable between the controller and the sensor pack is loose or damaged.
- The sensor pack has lost power, for example after a tripped fused spur.
- The bus termination switch is in the wrong position after a second device was added.
- Electrical noise from a nearby variable speed drive.

## What to do

1. Check that the green power LED on the sensor pack is lit.
2. Open the controller's terminal cover and check the A, B and screen wires at
   terminals 21 to 23. Re-tighten them.
3. Look at the termination DIP switch: it should be **ON** only on the last device on
   the bus.
4. Route the data cable at least 300 mm away from motor and pump power cables.
5. Press **Acknowledge**. If communication returns, the alarm clears by itself.

## If A03 keeps returning

Raise a service request with the time of each occurrence. Our engineers can read the
bus error counters remotely through HydroLink and may send a replacement cable.
""",
    ),
    DemoArticle(
        slug="aquasense-alarm-a11-chlorine-high",
        title="AquaSense alarm A11: free chlorine above the high limit",
        summary="Free chlorine has risen above the alarm limit; overdosing or a measuring fault.",
        category="AquaSense controllers",
        tags=("alarm", "a11", "error code", "high chlorine", "overdose", "limit"),
        products=_CTRL + _PUMP,
        audience=_CUST,
        body="""\
Alarm **A11** is raised when the measured free chlorine stays above the high limit for
longer than the alarm delay, 60 seconds by default. The controller stops the chlorine
dosing output until the reading falls back.

## First, confirm the reading

1. Take a grab sample from the sample tap and test it with a DPD photometer.
2. If the photometer agrees with the controller, the water really is over-chlorinated:
   follow your site's procedure, which may mean diverting or holding the water.
3. If the photometer reads much lower, the sensor is at fault: go to the chlorine
   calibration article and recalibrate.

## Causes of a genuine overdose

- The dosing pump was left in manual mode after maintenance.
- A siphon: the pump's discharge point is below the chemical tank and no anti-siphon
  valve is fitted.
- Flow through the main pipe stopped while the pump kept dosing; check the flow switch
  interlock.
- The setpoint or proportional band was changed by mistake.

## Clearing the alarm

The alarm clears automatically once the reading is below the limit minus the
hysteresis. Acknowledge it on the screen so it is logged, then review the trend on the
HydroLink dashboard to see when the rise began.
""",
    ),
    DemoArticle(
        slug="aquasense-backup-restore-configuration",
        title="Backing up and restoring the controller configuration",
        summary="Save setpoints, outputs and alarm limits to USB and load them onto another unit.",
        category="AquaSense controllers",
        tags=("backup", "restore", "configuration", "usb", "settings", "copy", "clone"),
        products=_CTRL,
        audience=_CUST,
        body="""\
A configuration backup holds every setting you have made: setpoints, alarm limits,
output assignments, calibration history and network details. Take one after
commissioning and before any firmware update or repair.

## Saving a backup

1. Insert a FAT32 USB stick in the port behind the front cover.
2. Log in with the administrator PIN.
3. Open **Settings > Backup > Save to USB**.
4. The controller writes a file named after its serial number and today's date, for
   example `AQS-204117_2026-11-30.cfg`.
5. Copy the file to a safe place on your network and attach it to your site records.

## Restoring a backup

1. Insert the stick holding the `.cfg` file.
2. Open **Settings > Backup > Load from USB** and select the file.
3. Choose what to restore: everything, or only setpoints and alarms.
4. The controller restarts and checks the settings against its hardware.

## Copying settings to a replacement controller

You can load one controller's backup onto another of the same model, which is the
quickest way to bring a replacement unit into service. Calibration values are not
copied, because they belong to the sensors rather than the controller, so calibrate
after restoring. Network settings are copied too: change the IP address if both units
will be on the network at the same time.
""",
    ),
    DemoArticle(
        slug="aquasense-controller-network-setup",
        title="Connecting the AquaSense controller to your network",
        summary="Choose DHCP or a static IP address and test the Ethernet link.",
        category="AquaSense controllers",
        tags=("network", "ethernet", "ip address", "dhcp", "static ip", "modbus tcp"),
        products=_CTRL,
        audience=_CUST,
        body="""\
The controller has one Ethernet port for Modbus TCP, NTP and the HydroLink gateway.
Ask your IT team for an address before you start; most sites use a fixed address so
SCADA can always find the controller.

## Static IP address

1. Log in with the administrator PIN.
2. Open **Settings > Network > Ethernet**.
3. Set **Addressing** to **Static**.
4. Enter the IP address, subnet mask, default gateway and DNS server.
5. Press **Apply**. The link LED on the port turns green when a cable is connected.

## DHCP

Set **Addressing** to **DHCP** and the controller takes an address from your network.
Ask IT to reserve that address against the controller's MAC address, printed on the
label inside the front cover, so it does not change after a power cut.

## Testing the link

- **Settings > Network > Diagnostics > Ping** lets you ping the gateway or SCADA server.
- A yellow triangle beside the network icon means the cable is connected but the
  controller has no valid address.

## Modbus TCP

Modbus TCP listens on port 502 and is read-only unless you enable writes under
**Settings > Network > Modbus**. The register map is in the technical manual.
""",
    ),
    DemoArticle(
        slug="aquasense-setpoints-and-dosing-control",
        title="Setting chlorine and pH setpoints and dosing control",
        summary="Choose setpoints, proportional band and dosing limits for stable control.",
        category="AquaSense controllers",
        tags=("setpoint", "proportional band", "pid", "control", "tuning", "dosing"),
        products=_CTRL + _PUMP,
        audience=_CUST,
        body="""\
The controller compares each measured value with its setpoint and tells the ClearFlow
pump how hard to work. Good settings give steady chlorine without hunting up and down.

## Choosing setpoints

- Free chlorine: 0.5 to 1.5 mg/l for most process water; follow your water safety plan.
- pH: 7.0 to 7.4, because chlorine disinfects poorly above pH 7.6.

## Adjusting the control loop

1. Open **Settings > Control > Chlorine**.
2. Enter the setpoint.
3. Set the **proportional band**, the distance from setpoint at which the pump runs at
   full output. Start with 0.5 mg/l.
4. Leave **integral time** at 300 seconds unless readings drift slowly away from target.
5. Set **maximum output** so a failed sensor can never make the pump run flat out;
   70 percent is a sensible limit.
6. Repeat under **Control > pH**, choosing acid or alkali dosing direction.

## Signs the loop needs tuning

- Readings swing above and below the setpoint every few minutes: widen the band.
- Readings settle below target and never reach it: shorten the integral time.
- Very slow response after a flow change: check the sample line is short and the flow
  cell is clean before changing the settings.

Record any change in your site log; the controller also keeps an audit trail of who
changed what under **Menu > Event log**.
""",
    ),
    # --- Sensor packs --------------------------------------------------------------------
    DemoArticle(
        slug="sensor-pack-chlorine-calibration",
        title="Calibrating the free chlorine sensor",
        summary="One-point chlorine calibration against a DPD photometer reading.",
        category="Sensor packs",
        tags=("calibration", "calibrate", "chlorine", "dpd", "photometer", "free chlorine"),
        products=_SENS + _CTRL,
        audience=_CUST,
        body="""\
The amperometric chlorine sensor in the sensor pack slowly loses sensitivity as its
membrane ages. Calibrating it against a laboratory-style test once a month keeps the
reading honest and your dosing accurate.

## You will need

- A DPD photometer with fresh free chlorine reagent tablets.
- A clean sample bottle.
- The controller administrator PIN.

## Steps

1. Make sure the sample flow through the flow cell is steady: the float in the flow
   indicator should sit between the two marks.
2. Check the chlorine reading has been stable for at least five minutes.
3. Take a sample from the sample tap beside the flow cell, not from the tank.
4. Measure free chlorine with the photometer straight away.
5. On the controller open **Calibration > Chlorine > One-point**.
6. Enter the photometer value and press **Calibrate**.
7. The controller shows the new slope as a percentage. Between 60 and 150 percent is
   accepted; outside that range the calibration is refused.

## If the calibration is refused

- Slope too low: the membrane cap is probably fouled or worn. Replace the cap and
  electrolyte, wait two hours and try again.
- Slope too high: check that the reagent has not expired and repeat the photometer
  test.
- Reading jumps about: clean the flow cell and look for air bubbles on the sensor tip.

After calibrating, the controller resets the calibration due reminder for 30 days.
""",
    ),
    DemoArticle(
        slug="sensor-pack-ph-calibration",
        title="Two-point pH calibration with buffer solutions",
        summary="Calibrate the pH electrode with pH 7 and pH 4 buffers and check its health.",
        category="Sensor packs",
        tags=("ph", "calibration", "buffer", "electrode", "two-point", "acidity"),
        products=_SENS,
        audience=_CUST,
        body="""\
The pH electrode needs a two-point calibration every three months, or whenever it is
replaced. Buffer solutions give it known reference values so the controller can work
out the electrode's zero point and slope.

## You will need

- Fresh pH 7.00 and pH 4.01 buffer solutions, not past their expiry date.
- Two clean beakers and a bottle of deionised water for rinsing.
- Soft tissue; never rub the glass bulb.

## Steps

1. Stop the sample flow with the isolation valves and unscrew the pH electrode from
   the flow cell.
2. Rinse the electrode with deionised water and dab it dry.
3. On the controller open **Calibration > pH > Two-point**.
4. Place the electrode in pH 7.00 buffer. Wait until the reading is stable and press
   **Point 1**.
5. Rinse again and place it in pH 4.01 buffer. When stable, press **Point 2**.
6. The controller shows the offset in millivolts and the slope as a percentage.
7. Refit the electrode and restart the sample flow.

## Reading the results

- Offset within plus or minus 30 mV and slope between 90 and 102 percent: healthy.
- Slope between 85 and 90 percent: clean the glass bulb with the cleaning solution
  and recalibrate.
- Slope below 85 percent or a slow, sluggish response: replace the electrode.

Keep the electrode wet at all times. A dried-out bulb rarely recovers.
""",
    ),
    DemoArticle(
        slug="sensor-pack-readings-frozen",
        title="Sensor pack readings stuck on the same value",
        summary="Readings that never change are usually the firmware 2.3 hang; restart and update.",
        category="Sensor packs",
        tags=("frozen", "stuck", "flat line", "not updating", "firmware 2.3", "hang"),
        products=_SENS,
        audience=_CUST,
        body="""\
If the chlorine, pH or temperature value on the controller or the HydroLink dashboard
has shown exactly the same figure for hours, the sensor pack has most likely stopped
sending fresh measurements even though it still answers the controller.

## Known cause: firmware 2.3

Sensor packs running firmware 2.3 can hang after several days of continuous running.
The communication link stays up, so no A03 alarm is raised, but the values freeze.
Firmware 2.4 fixes this.

## Restart the sensor pack

1. On the controller open **Sensors**, select the pack and press **Restart**.
2. Alternatively switch the sensor pack off at its fused spur for ten seconds.
3. Within two minutes the values should start moving again, and the trend line on the
   dashboard should no longer be flat.

## Check the firmware version

Open **Sensors > Details**. If it shows 2.3, install 2.4 from the controller under
**Sensors > Update firmware**, with the update file on a USB stick, or ask us to
schedule it remotely through HydroLink.

## Other causes of a flat reading

- No sample flow: the value settles at whatever the still water holds. Check the flow
  indicator float and the sample strainer.
- A probe unplugged from the pack shows the last good value with a grey question mark.
- The controller is in **Hold** mode after calibration; press **Release hold**.
""",
    ),
    DemoArticle(
        slug="sensor-pack-membrane-cap-replacement",
        title="Replacing the chlorine sensor membrane cap and electrolyte",
        summary="Fit a new membrane cap and refill electrolyte once a year or when slope drops.",
        category="Sensor packs",
        tags=("membrane", "membrane cap", "electrolyte", "chlorine sensor", "replace"),
        products=_SENS,
        audience=_CUST,
        body="""\
The chlorine sensor measures through a thin membrane held in a screw-on cap. Over time
the membrane clogs with scale or biofilm. Replace the cap and electrolyte once a year,
or sooner if calibration slopes keep falling.

## Parts

Order the **membrane cap kit**, part number ASP-MC-01. It contains two caps, a 50 ml
bottle of electrolyte and a polishing strip.

## Steps

1. Put the controller into **Hold** so dosing does not react to false readings.
2. Close the sample valves and unscrew the chlorine sensor from the flow cell.
3. Unscrew the old membrane cap and discard it with the old electrolyte.
4. Rinse the electrode tip with clean water. If the gold cathode looks dull, rub it
   gently twice with the polishing strip.
5. Fill the new cap to the top with electrolyte, avoiding bubbles.
6. Hold the sensor upright and screw the cap on slowly; excess electrolyte will escape
   through the vent.
7. Refit the sensor, open the sample valves and release **Hold**.

## After replacement

- Leave the sensor to polarise for at least two hours, ideally overnight.
- Calibrate chlorine against a DPD reading.
- Record the date on the label on the side of the flow cell.

Never touch the membrane itself; a single fingerprint can slow its response for days.
""",
    ),
    DemoArticle(
        slug="sensor-pack-flow-cell-cleaning",
        title="Cleaning the flow cell and sample strainer",
        summary="Monthly cleaning of the flow cell, sample line and strainer for steady readings.",
        category="Sensor packs",
        tags=("cleaning", "flow cell", "strainer", "sample line", "biofilm", "scale"),
        products=_SENS,
        audience=_CUST,
        body="""\
Deposits in the flow cell slow the sensors' response and trap air bubbles that make
readings jump. A monthly clean takes about 15 minutes.

## Before you start

- Put the controller into **Hold**.
- Close the inlet and outlet sample valves.
- Have a soft bottle brush, a bucket and a mild descaling solution ready.

## Cleaning steps

1. Unscrew the sensors and stand them in a beaker of sample water so they stay wet.
2. Open the drain plug and let the flow cell empty into the bucket.
3. Unscrew the Y-strainer cap on the sample inlet and rinse the mesh under a tap.
4. Brush the inside of the flow cell. For white scale, fill it with descaling solution
   for five minutes, then rinse thoroughly with clean water.
5. Check the flow indicator float moves freely.
6. Refit the strainer, the drain plug and the sensors.
7. Open the valves slowly and set the sample flow to between 30 and 60 litres per hour.
8. Wait until readings settle, then release **Hold**.

## How often

- Clean water with low iron: monthly.
- Borehole or recycled water: fortnightly.
- If you see green or brown slime, clean weekly and check the chlorine residual
  reaching the sample point.
""",
    ),
    DemoArticle(
        slug="sensor-pack-turbidity-noisy-readings",
        title="Turbidity readings noisy or drifting",
        summary="Air bubbles, a dirty optical window or stray light make turbidity unstable.",
        category="Sensor packs",
        tags=("turbidity", "ntu", "noisy", "bubbles", "optical", "drift"),
        products=_SENS,
        audience=_CUST,
        body="""\
The optional turbidity probe measures cloudiness in NTU by shining infrared light
through the sample. Spiky or slowly rising readings almost always have a physical
cause rather than a faulty probe.

## Air bubbles

Bubbles scatter light just like particles, so they show as sudden spikes.

1. Check that the sample flow is between 30 and 60 litres per hour; faster flow draws
   air in.
2. Make sure the flow cell outlet is higher than the probe so the cell stays full.
3. Enable the **bubble rejection** filter under **Settings > Sensors > Turbidity**.

## Dirty optical window

A gradual rise over weeks, with no change in the grab samples, points to fouling.

1. Put the controller into **Hold** and remove the probe.
2. Wipe the sapphire window with a lint-free cloth and a little isopropyl alcohol.
3. Refit it and compare with a laboratory turbidimeter.

## Stray light

Direct sunlight on a clear flow cell adds a small offset. Fit the black light shield
supplied with the probe.

## Calibration check

Use the sealed 10 NTU verification standard every quarter. If the reading differs by
more than 5 percent after cleaning, run a full formazin calibration or send the probe
to us for service.
""",
    ),
    DemoArticle(
        slug="sensor-pack-alarm-s21-calibration-due",
        title="Sensor pack alarm S21: calibration overdue",
        summary="The sensor pack reminds you when a probe has gone too long without calibration.",
        category="Sensor packs",
        tags=("alarm", "s21", "error code", "reminder", "calibration due", "overdue"),
        products=_SENS + _CTRL,
        audience=_CUST,
        body="""\
Alarm **S21** is a reminder, not a fault. It appears when a probe's last successful
calibration is older than the interval you set: 30 days for chlorine and 90 days for
pH by default. Dosing carries on as normal.

## Clearing S21

1. Check which probe the alarm refers to under **Alarms > Details**.
2. Carry out the calibration: one-point for chlorine, two-point for pH.
3. When the calibration is accepted, S21 clears by itself and the next due date is
   shown on the **Sensors** screen.

Acknowledging S21 without calibrating only silences it for 24 hours; it then returns.

## Changing the reminder interval

Open **Settings > Sensors > Calibration reminders** and set the number of days for each
probe. Shorter intervals suit dirty water or sites with strict compliance audits. We do
not recommend more than 60 days for chlorine.

## S21 straight after calibrating

If S21 reappears even though you have just calibrated, the controller clock may be
wrong, making the calibration look old. Check **Settings > Date and time** and set up
an NTP server as described in the clock drift article.

## On the dashboard

The HydroLink dashboard shows S21 as an amber badge on the site card, so a supervisor
can see which sites have calibrations overdue without visiting them.
""",
    ),
    # --- ClearFlow pumps and filters -------------------------------------------------------
    DemoArticle(
        slug="clearflow-alarm-e42-flow-sensor-fault",
        title="ClearFlow pump alarm E42: flow-sensor fault",
        summary="The pump cannot confirm it is delivering chemical; check the flow sensor.",
        category="ClearFlow pumps and filters",
        tags=("alarm", "e42", "error code", "flow sensor", "flow monitor", "pump stopped"),
        products=_PUMP,
        audience=_CUST,
        body="""\
Alarm **E42** means the flow sensor on the pump's discharge side has not registered a
dosing stroke for ten strokes in a row, or is sending a signal the pump cannot read.
To avoid dosing blind, the pump stops and its red LED flashes.

## Quick checks

1. Look at the suction tank: is there chemical in it? An empty tank normally raises
   E08 first, but not always.
2. Check the flow sensor's grey cable is pushed fully home in the socket marked
   **FLOW** on the underside of the pump.
3. Look for an air lock in the suction line. If the tubing shows large bubbles, prime
   the pump.

## Resetting the flow sensor

1. Press and hold **Stop/Start** for three seconds to clear the alarm.
2. Open **Menu > Flow monitor > Reset sensor**.
3. Run the pump in manual mode at 50 percent for one minute and watch the display.
4. If E42 comes back within a few minutes, the sensor itself is likely faulty.

## Flow-sensor replacement programme

Flow sensors from one production batch can fail early and are being replaced free of
charge. The serial number is printed on the sensor body. Raise a service request
with that serial number and a photo; we will tell you whether it is affected and
send a technician or a replacement sensor.

## While you wait

Run the pump with flow monitoring disabled only if your water safety plan allows it,
and check the chlorine level by hand at least every hour.
""",
    ),
    DemoArticle(
        slug="clearflow-alarm-e17-overpressure",
        title="ClearFlow pump alarm E17: discharge over-pressure",
        summary="Discharge pressure is too high; look for a blockage or a closed valve.",
        category="ClearFlow pumps and filters",
        tags=("alarm", "e17", "error code", "over-pressure", "blockage", "injection valve"),
        products=_PUMP,
        audience=_CUST,
        body="""\
Alarm **E17** means the pump has measured a discharge pressure above its rated maximum,
10 bar on the standard head. It stops immediately to protect the diaphragm and the
pipework.

## Most common causes

- A closed isolation valve on the discharge line, often left shut after maintenance.
- A blocked injection valve: hypochlorite deposits calcium carbonate scale where it
  meets hard water.
- Kinked or crushed dosing tubing.
- The main pipe pressure has risen, for example after a booster set was changed.

## What to do

1. Wear goggles and gloves: the line may still be under pressure.
2. Check every valve between the pump and the injection point is open.
3. Follow the dosing tube and look for kinks or flattening.
4. Isolate the injection valve, release the pressure with the bleed valve on the pump
   head, then unscrew the injection valve.
5. Soak the valve in dilute hydrochloric acid descaler for 15 minutes, rinse, check
   the spring and ball move freely and refit it.
6. Press **Stop/Start** to reset and watch the pressure on the display.

## Preventing repeat alarms

On hard water, replace injection valves every six months and mount them pointing
upwards into the pipe so the chemical does not sit in the valve. If the main pipe
pressure is close to 10 bar, ask us about the high-pressure pump head.
""",
    ),
    DemoArticle(
        slug="clearflow-alarm-e08-low-chemical-level",
        title="ClearFlow pump alarm E08: chemical tank low or empty",
        summary="The suction lance level switch reports a low or empty chemical container.",
        category="ClearFlow pumps and filters",
        tags=("alarm", "e08", "error code", "low level", "empty tank", "suction lance"),
        products=_PUMP,
        audience=_CUST,
        body="""\
The suction lance in the chemical container has a two-stage level switch. Alarm **E08**
appears in two forms:

- **E08 pre-warning** (amber): about 10 percent of the container remains. The pump keeps
  dosing.
- **E08 empty** (red): the float has reached the bottom. The pump stops so it does not
  draw air.

## Changing the container

1. Stop the pump and put on goggles, gloves and an apron.
2. Lift the suction lance out slowly and stand it in the drip tray.
3. Remove the empty container and put the full one in place in the bund.
4. Lower the lance into the new container and tighten the cap adaptor.
5. Start the pump. If the suction line has drawn air, prime it before dosing resumes.

## Alarm does not clear with a full container

- The float may be stuck with crystals. Rinse the lance foot in clean water and check
  the float slides freely.
- Check the level cable is plugged into the socket marked **LEVEL**.
- Some sites swap the pre-warning and empty wires during installation: the display
  then shows red at 10 percent. Ask your installer to check the wiring.

## Planning deliveries

The HydroLink dashboard can send an email when the pre-warning appears, giving you time
to reorder chemical before the pump stops.
""",
    ),
    DemoArticle(
        slug="clearflow-pump-calibration-drawdown",
        title="Calibrating a ClearFlow dosing pump with a drawdown test",
        summary="Measure the real output in millilitres per stroke with a calibration cylinder.",
        category="ClearFlow pumps and filters",
        tags=("calibration", "calibrate", "drawdown", "output", "ml per stroke", "cylinder"),
        products=_PUMP,
        audience=_CUST,
        body="""\
The pump's nominal output depends on back pressure, chemical viscosity and suction
height, so the real figure can differ by 20 percent or more. A drawdown test measures
the actual output so the controller can dose accurately.

## You will need

- The calibration cylinder kit (a graduated 250 ml cylinder with a three-way valve).
- A stopwatch, goggles and gloves.

## Steps

1. Fit the calibration cylinder in the suction line using the three-way valve, and
   fill the cylinder from the chemical container.
2. Turn the three-way valve so the pump draws only from the cylinder.
3. On the pump open **Menu > Calibration > Start**. The pump runs 100 strokes at the
   current stroke length.
4. When it stops, read the volume drawn from the cylinder.
5. Enter that volume in millilitres and press **Save**. The pump shows its new output in
   ml per stroke and litres per hour.
6. Return the three-way valve to the normal position.

## Good practice

- Calibrate at the same stroke length you use in service.
- Repeat the test after changing the diaphragm, the injection valve or the chemical
  supplier.
- Carry out a drawdown test every three months as part of routine maintenance.
- If the measured volume is under half the nominal output, look for a worn valve ball
  or an air leak on the suction side.
""",
    ),
    DemoArticle(
        slug="clearflow-pump-priming-air-lock",
        title="Priming the pump and clearing an air lock",
        summary="Bleed trapped air out of the pump head when it runs but delivers no chemical.",
        category="ClearFlow pumps and filters",
        tags=("priming", "prime", "air lock", "airlock", "bleed", "gas", "no output"),
        products=_PUMP,
        audience=_CUST,
        body="""\
Sodium hypochlorite gives off small amounts of gas, and air enters whenever a container
runs dry. A pump head full of air clicks normally but moves no liquid. Priming pushes
the gas out.

## Priming with the bleed valve

1. Put on goggles and gloves.
2. Place the bleed return tube into the chemical container or a bucket.
3. Open the bleed valve on the pump head by a half turn.
4. Press and hold **Prime**. The pump runs at full speed.
5. Watch the suction tube: when liquid without bubbles flows from the bleed tube,
   release **Prime** and close the bleed valve.
6. Return to automatic mode.

## If the pump will not prime

- Suction height is too great: the pump should sit no more than 1.5 m above the bottom
  of the container.
- The foot valve on the suction lance is stuck open; clean it.
- A loose suction fitting draws in air. Tighten the union nuts by hand, never with
  pliers.
- The valve balls are worn or crystallised: fit the service kit.

## Preventing gas build-up

Use the degassing pump head for hypochlorite stronger than 10 percent, keep the
chemical cool and out of the sun, and avoid long horizontal suction runs where gas can
collect.
""",
    ),
    DemoArticle(
        slug="clearflow-pump-annual-service-kit",
        title="Replacing the pump diaphragm and valves with the annual service kit",
        summary="Fit a new diaphragm, valve balls and seals once a year to keep output steady.",
        category="ClearFlow pumps and filters",
        tags=("diaphragm", "service kit", "valve balls", "seals", "annual service", "overhaul"),
        products=_PUMP,
        audience=_CUST,
        body="""\
The diaphragm flexes millions of times a year and eventually cracks. Replacing it with
the valves and seals every 12 months, or every 8,000 running hours, avoids leaks and
loss of output.

## Parts

Service kit CF-SK-10 for the 10 l/h head, CF-SK-25 for the 25 l/h head. Each kit has a
diaphragm, suction and discharge valve cartridges, O-rings and a torque card.

## Steps

1. Stop the pump, isolate it electrically and close the suction and discharge valves.
2. Put on goggles and gloves. Relieve pressure through the bleed valve.
3. Flush the head with water by moving the suction lance to a bucket of clean water and
   priming for a minute.
4. Undo the four head screws and lift off the dosing head.
5. With the pump switched on at 0 percent stroke, unscrew the diaphragm anticlockwise.
6. Screw in the new diaphragm by hand until it stops.
7. Refit the head and tighten the screws diagonally to 4 Nm, as shown on the torque card.
8. Replace the suction and discharge valve cartridges, noting the flow arrows.
9. Prime the pump and check for leaks at 10 bar.
10. Carry out a drawdown test to recalibrate the output.

## Signs the diaphragm has failed

- Chemical in the leakage hole under the head.
- Pump display shows **Diaphragm leak** if the optional leak sensor is fitted.

Screws should be checked again after 24 hours of running.
""",
    ),
    DemoArticle(
        slug="clearflow-pump-installation-guide",
        title="Installing a ClearFlow dosing pump",
        summary="Mounting position, suction lance, injection point and wiring for a new pump.",
        category="ClearFlow pumps and filters",
        tags=("installation", "install", "mounting", "injection point", "bracket", "wiring"),
        products=_PUMP,
        audience=_CUST,
        body="""\
A careful installation prevents most pump faults later on. If your site is covered by
a partner installation, they will follow these same steps and a commissioning
checklist.

## Choosing the position

- Mount the pump on the wall bracket or a shelf above the bund, with the dosing head
  at the front for easy servicing.
- Keep the suction height below 1.5 m and the suction tube as short as possible.
- Never mount the pump directly above the chemical container: fumes corrode the
  electronics.

## Plumbing

1. Fit the suction lance in the container and run the suction tube to the pump inlet.
2. Run the discharge tube to the injection point without sharp bends.
3. Install the injection valve in the side or bottom of the main pipe, pointing
   upwards.
4. Fit an anti-siphon valve if the injection point is lower than the container or the
   main pipe is under suction.
5. Fit a pressure relief valve on the discharge line if any valve there can be shut.

## Electrical

- Supply 230 V from a fused spur with a 3 A fuse.
- Connect the 4-20 mA or pulse control cable from the AquaSense controller to the
  **EXT** socket.
- Connect the level and flow sensor cables to **LEVEL** and **FLOW**.
- Wire the flow switch interlock so the pump stops when water in the main pipe stops.

## Before first use

Prime the pump, check every joint for leaks, and carry out a drawdown test.
""",
    ),
    DemoArticle(
        slug="clearflow-filter-backwash",
        title="Backwash schedule and manual backwash on the ClearFlow filter unit",
        summary="How automatic backwashing works and when to trigger a manual backwash.",
        category="ClearFlow pumps and filters",
        tags=("backwash", "backflush", "filter", "media", "schedule", "rinse"),
        products=_FILT,
        audience=_CUST,
        body="""\
The ClearFlow filter unit cleans its media bed by reversing the flow and flushing the
trapped dirt to drain. The built-in valve controller starts a backwash on a timer or
when the differential pressure rises, whichever comes first.

## Default settings

- Timed backwash: every 72 hours at 02:00.
- Pressure-triggered backwash: when differential pressure exceeds 0.8 bar.
- Sequence: 8 minutes backwash, 4 minutes settle, 3 minutes rinse.

## Changing the schedule

1. Open the valve controller cover and press **Set**.
2. Use the arrows to reach **Interval** and choose the number of hours.
3. Set **Start time** to a period when water demand is low.
4. Press **Set** again to save.

Sites with high suspended solids, such as wash-bay recycling, often need a backwash
every 24 hours.

## Manual backwash

Press and hold **Regen** for five seconds. The unit runs one full cycle and then
returns to service. Run a manual backwash after a mains burst or whenever the water
leaving the filter looks cloudy.

## Check that backwash is working

- During backwash, water should flow strongly to drain; a trickle means the drain line
  is blocked or too small.
- After backwash the differential pressure should drop below 0.3 bar.
- Media washed to drain, seen as sand in the drain gully, means the backwash rate is
  too high: contact us.
""",
    ),
    DemoArticle(
        slug="clearflow-filter-cartridge-replacement",
        title="Replacing ClearFlow filter cartridges and O-rings",
        summary="Change the polishing cartridges and housing O-rings safely and without leaks.",
        category="ClearFlow pumps and filters",
        tags=("filter cartridge", "cartridge", "o-ring", "housing", "replace", "polishing"),
        products=_FILT,
        audience=_CUST,
        body="""\
Downstream of the media bed, the ClearFlow filter unit has two polishing cartridges in
clear housings. Replace them every six months, or sooner if the pressure across them
rises above 1 bar.

## Parts

- Cartridge pack CF-FC-05 (5 micron, two cartridges).
- Housing O-ring set CF-OR-02, to be replaced at every second cartridge change.
- Silicone grease, food-grade.

## Steps

1. Switch the unit to **Bypass** with the three-valve bypass manifold, or close the inlet
   and outlet valves.
2. Press the red pressure-release button on top of each housing until water stops
   hissing.
3. Unscrew the housing bowl using the housing spanner. Expect some water.
4. Remove the old cartridge and rinse the bowl. Do not use detergent.
5. Check the O-ring for flattening or cracks; replace it if in doubt and apply a thin
   film of silicone grease.
6. Fit the new cartridge over the centre spigot and screw the bowl back on, hand-tight
   plus a quarter turn with the spanner.
7. Open the inlet slowly, bleed air with the release button and then open the outlet.

## Cracked or leaking housings

Never try to tighten a leaking housing under pressure. A cracked bowl must be replaced;
order part CF-HB-01 or raise a service request with a photo.
""",
    ),
    DemoArticle(
        slug="clearflow-filter-high-differential-pressure",
        title="High differential pressure warning on the filter unit",
        summary="What a rising pressure difference across the filter means and how to lower it.",
        category="ClearFlow pumps and filters",
        tags=("differential pressure", "pressure drop", "warning", "clogged", "dp", "gauge"),
        products=_FILT,
        audience=_CUST,
        body="""\
The filter unit measures pressure before and after the media bed. The difference tells
you how much dirt is held. When it passes 1.2 bar the display shows **DP HIGH** and the
HydroLink dashboard raises an amber warning.

## What the numbers mean

- Below 0.3 bar: clean filter.
- 0.3 to 0.8 bar: normal loading between backwashes.
- Above 0.8 bar: the unit starts an automatic backwash.
- Above 1.2 bar: backwash has not restored the filter, or cannot run.

## What to do

1. Check the last backwash time on the valve controller. If it did not run, check the
   power supply and the drain line.
2. Run a manual backwash by holding **Regen** for five seconds.
3. When it finishes, read the differential pressure again.
4. If it is still high, the polishing cartridges may be blocked rather than the media.
   Compare the pressure across the cartridge housings and replace cartridges if needed.
5. If both are fine, the media bed may be compacted or fouled with iron or oil.

## Media problems

Media normally lasts five years. Oil from wash bays or heavy iron can coat it sooner.
We offer a media analysis: raise a service request and we will send a sample pot.
Replacing media is a job for our technicians or a certified partner.
""",
    ),
    # --- HydroLink gateway and dashboard ---------------------------------------------------
    DemoArticle(
        slug="hydrolink-gateway-first-setup",
        title="Setting up a new HydroLink gateway",
        summary="Mount, power and claim a gateway so its devices appear in your dashboard.",
        category="HydroLink gateway and dashboard",
        tags=("gateway", "setup", "claim code", "activation", "din rail", "onboarding"),
        products=_GATE + _DASH,
        audience=_CUST,
        body="""\
Each HydroLink gateway is linked to your organisation's dashboard by a one-time claim
code printed on a card in the box. Keep the card until the gateway shows as online.

## Mounting and power

1. Clip the gateway onto a 35 mm DIN rail inside the control panel.
2. Connect 24 V DC to the green power terminal, or use the plug-in power supply.
3. Connect the Ethernet cable to **WAN** and, if used, the RS-485 cable from your
   controllers to **BUS**.

The **PWR** LED lights green. Within two minutes the **CLOUD** LED should also turn
green; if it stays amber, see the gateway offline article.

## Claiming the gateway

1. Log in to the HydroLink cloud dashboard as an organisation administrator.
2. Open **Devices > Add gateway**.
3. Type the 12-character claim code from the card, choose the site and give the gateway
   a name, for example *Line 3 plant room*.
4. Press **Claim**. The gateway downloads its settings and scans for devices.

## Adding controllers and pumps

- Devices on the RS-485 bus are found automatically; confirm each one in the list.
- Controllers on Ethernet are added by IP address under **Devices > Add by address**.

## Good practice

Label the gateway with its name, and record its serial number and MAC address in your
site records. One gateway can serve up to 16 devices.
""",
    ),
    DemoArticle(
        slug="hydrolink-gateway-offline-no-data",
        title="Gateway offline or dashboard shows no data",
        summary="Use the gateway LEDs to find out why readings no longer reach the dashboard.",
        category="HydroLink gateway and dashboard",
        tags=("offline", "no data", "led", "router", "connection lost", "buffer"),
        products=_GATE + _DASH,
        audience=_CUST,
        body="""\
When the dashboard shows a grey **Offline** badge on a site, or the trend charts end
abruptly, the gateway has stopped sending data. Readings are buffered on the gateway
for up to 30 days, so nothing is lost once the connection returns.

## Read the LEDs

| LED | State | Meaning |
| --- | --- | --- |
| PWR | off | no power: check the 24 V supply or fuse |
| WAN | off | no network cable or the switch port is dead |
| WAN | amber | cable connected but no IP address from the site router |
| CLOUD | amber flashing | network is fine but our servers cannot be reached |
| CLOUD | red | certificate or claim problem: contact us |

## Steps

1. Check the site router or switch is powered and other equipment is online.
2. Unplug the Ethernet cable from **WAN** for ten seconds and plug it back in.
3. Power-cycle the gateway by removing the power terminal for ten seconds.
4. If **CLOUD** still flashes amber, your firewall may be blocking outbound traffic;
   see the firewall and proxy article and ask your IT team.
5. If a 4G SIM is fitted, check the signal bars in **Devices > Gateway > Status**.

## Only one device missing

If the gateway is online but one controller is missing, the problem is between them:
check the RS-485 cable or the controller's IP address.

Raise a service request if the gateway stays offline for more than an hour; our
engineers can see when it last contacted the cloud.
""",
    ),
    DemoArticle(
        slug="hydrolink-firewall-ports-proxy",
        title="Firewall ports and proxy settings for HydroLink",
        summary="The outbound connections a gateway needs, for your IT or network team.",
        category="HydroLink gateway and dashboard",
        tags=("firewall", "ports", "proxy", "outbound", "tls", "it department", "allowlist"),
        products=_GATE,
        audience=_CUST,
        body="""\
HydroLink gateways make outbound connections only. No inbound ports need to be
opened, and the gateway never accepts connections from the internet. Share this page
with your IT or network team.

## Required outbound connections

| Destination | Port | Protocol | Purpose |
| --- | --- | --- | --- |
| connect.hydrolink.example | 8883 | MQTT over TLS | readings and alarms |
| api.hydrolink.example | 443 | HTTPS | settings and firmware |
| time.hydrolink.example | 123 | NTP (UDP) | clock synchronisation |
| DNS server on your network | 53 | UDP and TCP | name lookups |

If your policy allows only port 443, enable **MQTT over WebSockets** under **Devices >
Gateway > Connection**, which sends readings on port 443 instead of 8883.

## Proxy servers

1. In the dashboard open **Devices > Gateway > Connection > Proxy**.
2. Enter the proxy address and port, and a user name and password if required.
3. Save. The gateway applies the change the next time it connects, so configure the
   proxy before moving the gateway onto the restricted network.

The gateway does not support proxies that break TLS to inspect traffic. Add the
HydroLink domains to your inspection bypass list.

## Security notes

- All traffic is encrypted with TLS 1.2 or newer.
- Each gateway has its own device certificate, installed at the factory.
- Data is stored in UK data centres.
""",
    ),
    DemoArticle(
        slug="hydrolink-gateway-wifi-setup",
        title="Connecting the HydroLink gateway over Wi-Fi",
        summary="Join the gateway to a site Wi-Fi network when no Ethernet cable is available.",
        category="HydroLink gateway and dashboard",
        tags=("wifi", "wi-fi", "ssid", "access point", "signal strength", "wpa2"),
        products=_GATE,
        audience=_CUST,
        body="""\
Ethernet is always the most reliable choice, but the gateway can join a Wi-Fi network
when a cable run is impractical. It supports 2.4 GHz networks with WPA2 or WPA3
security; 5 GHz and captive-portal guest networks are not supported.

## Using the set-up hotspot

1. Hold the **SETUP** button on the gateway for five seconds until the **WAN** LED
   flashes blue.
2. On a phone or laptop, join the network named `HydroLink-` followed by the last four
   digits of the serial number. The password is printed on the claim card.
3. Open a browser at `http://192.168.4.1`.
4. Choose your site network from the list and type its passphrase.
5. Press **Connect**. The hotspot closes and the **WAN** LED turns solid blue once the
   gateway has joined.

## Checking signal strength

In the dashboard open **Devices > Gateway > Status**. Signal should be better than
-70 dBm. Between -70 and -80 dBm expect gaps in the data; below -80 dBm move the
gateway, fit the external antenna kit or add an access point.

## Changing the network

If your site changes its Wi-Fi passphrase, repeat the hotspot steps. Until then the
gateway buffers readings locally. Metal control panels block radio signals, so mount
the external antenna outside the enclosure.
""",
    ),
    DemoArticle(
        slug="hydrolink-gateway-4g-backup",
        title="Using 4G mobile backup on the HydroLink gateway",
        summary="Fit and activate a SIM so the gateway stays online when the site network fails.",
        category="HydroLink gateway and dashboard",
        tags=("4g", "sim", "mobile data", "cellular", "backup connection", "failover"),
        products=_GATE,
        audience=_CUST,
        body="""\
The HydroLink gateway G2 has a built-in 4G modem. With a data SIM fitted it switches
to mobile data when the Ethernet or Wi-Fi link fails and back again when it recovers.
On remote sites 4G can be the only connection.

## Choosing a SIM

- Our managed SIM, ordered with the gateway or later as part HL-SIM-01, works on
  several UK networks and is billed with your dashboard licence.
- Your own SIM works too if it is a data plan without a PIN lock and allows at least
  200 MB a month.

## Fitting the SIM

1. Remove power from the gateway.
2. Slide open the SIM tray on the side with a paperclip and insert a nano SIM.
3. Screw the antenna onto the **LTE** connector. For steel enclosures use the
   magnetic roof antenna.
4. Restore power.

## Activating failover

1. In the dashboard open **Devices > Gateway > Connection**.
2. Turn on **Mobile backup** and enter the APN if you are using your own SIM.
3. Choose **Failover** or **Mobile only**.

## Checking it works

Unplug the Ethernet cable: within two minutes the dashboard shows a small mast icon on
the gateway and data continues. Mobile data use is reported monthly under **Billing >
Usage**, and an alert can be set if it passes a limit.
""",
    ),
    DemoArticle(
        slug="hydrolink-dashboard-alert-rules",
        title="Creating alert rules and notifications in the HydroLink dashboard",
        summary="Send emails or text messages when readings cross limits or devices go offline.",
        category="HydroLink gateway and dashboard",
        tags=("alert rules", "notifications", "sms", "text message", "email", "escalation"),
        products=_DASH,
        audience=_CUST,
        body="""\
Alert rules watch your readings in the cloud and tell the right people when something
needs attention, even if nobody is looking at the dashboard.

## Creating a rule

1. Open **Alerts > Rules > New rule**.
2. Choose what to watch: a measured value (free chlorine, pH, turbidity, differential
   pressure), a device alarm (such as E42 or A11), or connectivity (gateway offline).
3. Set the condition, for example *free chlorine below 0.3 mg/l for 10 minutes*.
4. Choose the sites or devices it applies to.
5. Add recipients and how to reach them: email, SMS text message or both.
6. Set quiet hours if some recipients should only get messages during the working day.
7. Save and use **Send test** to check the messages arrive.

## Escalation

Add a second step so that if nobody acknowledges the alert within, say, 30 minutes, it
goes to a supervisor. Acknowledging from the link in the email stops the escalation.

## Avoiding alert fatigue

- Use a delay on every value rule; short spikes during backwash are normal.
- Group several sites into one rule rather than writing one rule per site.
- Review the **Alerts > History** page monthly and remove rules nobody acts on.

Text messages are included in the Professional licence; the Essentials licence
includes email alerts only.
""",
    ),
    DemoArticle(
        slug="hydrolink-dashboard-reports-export",
        title="Exporting readings and scheduling compliance reports",
        summary="Download trend data to CSV or Excel and email a monthly compliance report.",
        category="HydroLink gateway and dashboard",
        tags=("export", "csv", "excel", "report", "compliance", "trend", "download data"),
        products=_DASH,
        audience=_CUST,
        body="""\
The dashboard keeps every reading for seven years, so you can produce records for
audits and water safety reviews without visiting the plant room.

## Exporting trend data

1. Open **Trends** and choose the site and the measurements.
2. Set the date range with the calendar, up to 12 months at a time.
3. Choose the resolution: raw, one-minute, 15-minute or hourly averages.
4. Press **Export** and pick CSV or Excel. Large exports are emailed to you as a link
   when ready.

Times in exports are in UK local time, with a column giving the UTC offset.

## Scheduled compliance reports

1. Open **Reports > Scheduled > New**.
2. Choose the **Monthly compliance** template. It shows daily minimum, maximum and
   average free chlorine and pH, the time spent outside limits, alarms raised and
   calibration dates.
3. Add recipients and choose the day of the month it is sent.
4. Save. The first report arrives on the next scheduled date as a PDF attachment.

## Tips

- Add a comment to a trend chart to explain an event, such as a mains burst; comments
  appear in the compliance report.
- Auditors can be given a read-only dashboard login that expires after a set date.
- If an export shows gaps, the gateway was probably offline; the gap length appears
  in the report's connectivity section.
""",
    ),
    DemoArticle(
        slug="hydrolink-dashboard-users-and-sites",
        title="Adding users and sites to your HydroLink dashboard",
        summary="Invite colleagues, choose their roles and organise gateways into sites.",
        category="HydroLink gateway and dashboard",
        tags=("users", "invite", "roles", "sites", "licence", "permissions"),
        products=_DASH,
        audience=_CUST,
        body="""\
Your HydroLink licence sets how many sites you can monitor; users are unlimited. An
organisation administrator manages both.

## Inviting a colleague

1. Open **Settings > Users > Invite**.
2. Enter their work email address.
3. Choose a role:
   - **Viewer** - sees trends and alarms.
   - **Operator** - can also acknowledge alarms and add comments.
   - **Administrator** - can change alert rules, devices, users and billing details.
4. Optionally limit them to certain sites.
5. Send. The invitation link is valid for seven days.

## Adding a site

1. Open **Settings > Sites > New site**.
2. Enter the site name, address and time zone.
3. Move gateways into the site from **Devices**, or claim a new gateway directly into it.

If you reach the number of sites in your licence, the dashboard asks you to upgrade.
Your account manager can quote for extra sites; a second gateway on an existing site
does not use an extra site licence.

## Removing access

When someone leaves, open **Settings > Users**, select them and press **Remove**. Their
session ends immediately. Alert rules that sent messages to them are listed so you can
choose a new recipient.
""",
    ),
    # --- Using the portal --------------------------------------------------------------------
    DemoArticle(
        slug="portal-reset-password",
        title="Resetting your portal password",
        summary="Forgotten your password? Request a reset link by email and choose a new one.",
        category="Using the portal",
        tags=("password", "reset", "forgotten password", "reset link", "log in"),
        products=(),
        audience=_PUB,
        body="""\
If you cannot remember your Portico portal password, you can set a new one yourself.
You do not need to call the service desk.

## Requesting a reset link

1. Go to the portal log-in page and select **Forgotten your password?**
2. Enter the email address your account uses. For security, the page looks the same
   whether or not the address has an account.
3. Within a few minutes you receive an email from Brightwater Systems with a reset
   link. Check your junk folder if it does not arrive.
4. Open the link, which works once and expires after one hour.
5. Type your new password twice and save it.

## Choosing a good password

- At least 12 characters. A short phrase of unrelated words works well.
- Not the same as a password you use anywhere else.
- The portal refuses passwords that appear in lists of leaked passwords.

## Changing your password when you know it

Open **My profile > Security > Change password**, enter the current one and then the
new one. Other signed-in sessions on other devices end when you change it.

## Still stuck?

- If the email never arrives, your address may be spelt differently in our records:
  ask a colleague with portal access to raise a request, or phone the service desk.
- If you have left your organisation, your access has been closed and a reset will not
  work.
""",
    ),
    DemoArticle(
        slug="portal-account-locked-too-many-attempts",
        title="Account locked after too many log-in attempts",
        summary="Why the portal blocks repeated failed log-ins and how long the lock lasts.",
        category="Using the portal",
        tags=("locked", "lockout", "blocked", "failed attempts", "log in", "rate limit"),
        products=(),
        audience=_PUB,
        body="""\
To protect your organisation's data, the portal blocks further log-in attempts after
several wrong passwords in a short time. The lock protects against people guessing
passwords; it is not a sign that anything is wrong with your account.

## How the lock works

- After five failed attempts, log-in from your account is paused for 15 minutes.
- Each further failure during the pause restarts the 15 minutes.
- The message on screen reads *Too many failed attempts. Try again later.*

## What to do

1. Wait 15 minutes without trying again.
2. Check Caps Lock and that you are using your work email address, not a personal one.
3. If you are not sure of your password, use **Forgotten your password?** rather than
   guessing. A successful reset clears the lock.
4. If your browser has saved an old password, delete it from the browser's password
   manager so it does not keep retrying.

## If you did not cause the lock

If you were not trying to log in when the lock happened, someone else may have been.
Reset your password straight away, turn on two-factor authentication and let the
service desk know so we can check the audit trail for your account.

## Service desk unlocks

Staff can lift a lock early after confirming who you are by phone, but for security
they cannot tell you your password or set one for you.
""",
    ),
    DemoArticle(
        slug="portal-two-factor-authentication",
        title="Turning on two-factor authentication for your portal account",
        summary="Add an authenticator app or security key so a password alone is not enough.",
        category="Using the portal",
        tags=("two-factor", "authentication", "authenticator app", "security key", "otp"),
        products=(),
        audience=_CUST,
        body="""\
Two-factor authentication asks for a second proof of identity after your password: a
six-digit code from an authenticator app or a tap on a security key. We strongly
recommend it for anyone who manages colleagues or sees billing information.

## Setting up an authenticator app

1. Install an authenticator app on your phone, such as Microsoft Authenticator, Google
   Authenticator or a password manager that supports one-time codes.
2. In the portal open **My profile > Security > Two-factor authentication**.
3. Choose **Authenticator app**. A QR code appears.
4. Scan it with the app, then type the six-digit code the app shows.
5. Download or print the recovery codes and keep them somewhere safe, away from your
   phone.

## Using a security key

Choose **Security key** instead and follow the browser's prompts to register a
hardware key or your device's built-in fingerprint or face sign-on.

## Logging in afterwards

After your password, the portal asks for the current code. Tick **Trust this browser
for 30 days** on your own computer to be asked less often.

## Lost your phone?

Use one of your recovery codes to log in, then set up the app again on your new phone.
Each recovery code works once. If you have no codes left, phone the service desk; we
will verify your identity before removing the second factor.
""",
    ),
    DemoArticle(
        slug="portal-raise-service-request",
        title="Raising a service request in the portal",
        summary="Report a fault or ask a question online and follow progress without phoning.",
        category="Using the portal",
        tags=("service request", "new request", "report a fault", "ticket", "attachments"),
        products=(),
        audience=_CUST,
        body="""\
A service request sent through the portal reaches the same service desk as a phone
call, with everything we need already written down. You can follow its progress and
add information at any time.

## Creating a request

1. Select **Service > New request**.
2. Choose the type: **Service issue** for faults, **Enquiry** for questions and quotes,
   **Complaint** if something has gone wrong with our service.
3. Write a short title, such as *Pump on line 3 showing E42*.
4. Describe what happened, when it started and what you have already tried.
5. Pick the product and, for faults, how urgent it is. The service desk confirms the
   final priority.
6. Attach photos, log files or a configuration backup. Files up to 25 MB each.
7. Press **Submit**. You get a reference number, for example SI-000123, and an email
   confirmation.

As you type the title, the portal suggests knowledge articles that might solve the
problem straight away.

## Following progress

- **Service > My requests** lists your requests with their status: new, in progress,
  waiting for you, resolved or closed.
- When we need information from you, the status changes to **Waiting** and you receive
  an email. Reply by adding a note in the portal.
- When the request is resolved, please confirm or reopen it within seven days.

## Urgent problems

For a P1 emergency, such as dosing stopped on a live supply, phone as well as
raising the request.
""",
    ),
    DemoArticle(
        slug="portal-request-call-back",
        title="Requesting a call back",
        summary="Ask the service desk to phone you at a time that suits you.",
        category="Using the portal",
        tags=("call back", "callback", "phone", "preferred time", "contact me"),
        products=(),
        audience=_CUST,
        body="""\
If you would rather talk something through than write it down, request a call back.
It is often quicker for configuration questions or when you are not sure which product
is at fault.

## How to request one

1. Select **Service > Request a call back**.
2. Check the phone number shown. Change it if you will be at a different number, such
   as a site office.
3. Choose your preferred time: morning, afternoon or a specific slot.
4. Add a line about the subject, so the right specialist rings you.
5. Submit.

The request gets its own reference number and appears in **Service > My requests**.

## When will we ring?

- We aim to call within your chosen slot on the next working day.
- Requests made before 11:00 can usually be returned the same afternoon.
- If we miss you, we leave a voicemail and try once more, then add a note to the
  request.

## When not to use a call back

A call back is not suitable for emergencies. If dosing has stopped or chemical is
leaking, phone the service desk directly; contract customers can use the 24-hour
emergency line.

## After the call

The person who rang you records a summary of the conversation on the request. If the
call leads to further work, such as a site visit, it is linked to a new or existing
service request so you can follow it.
""",
    ),
    DemoArticle(
        slug="portal-colleagues-access-requests",
        title="Managing which colleagues can see your organisation's requests",
        summary="Share requests with colleagues, understand access levels and remove leavers.",
        category="Using the portal",
        tags=("colleagues", "sharing", "access level", "read only", "organisation", "leavers"),
        products=(),
        audience=_CUST,
        body="""\
Requests you raise belong to your organisation as well as to you. Who else can see them
depends on the access your organisation has agreed with us and on any sharing you add.

## Access levels

- **Customer access** - can read the request, add notes and files, and confirm it is
  resolved.
- **Read only** - can follow the request but not change it.
- **Linked to** - appears on the request for information, without extra rights.

Most organisations give everyone read-only access to all of the organisation's
requests, and customer access to the person who raised each one.

## Sharing a single request

1. Open the request and select **Share**.
2. Choose a colleague from your organisation's list.
3. Choose the access level and save. They receive an email with a link.

## Organisation administrators

Your organisation's portal administrator can see every request and can ask us to add
or remove portal users. New colleagues need a portal account before you can share
with them: ask your administrator or the service desk.

## When someone leaves

Tell us the same day. Deactivating a leaver closes their access at once: they are logged
out everywhere and any API keys they created stop working. Their past notes stay on
the requests for your records.

Internal notes written by Brightwater staff are never visible in the portal, whatever
access level you hold.
""",
    ),
    # --- Orders, billing and returns ------------------------------------------------------
    DemoArticle(
        slug="finding-and-downloading-invoices",
        title="Finding and downloading your invoices",
        summary="View, download and re-send invoices and credit notes from the portal.",
        category="Orders, billing and returns",
        tags=("invoice", "invoices", "credit note", "download", "pdf", "copy invoice"),
        products=(),
        audience=_CUST,
        body="""\
Every invoice and credit note we issue to your organisation is available in the portal
for seven years, so you never need to ask for a copy.

## Finding an invoice

1. Select **Account > Invoices**.
2. Filter by date, status (open, paid, overdue) or type (equipment, service contract,
   HydroLink licence, call-out).
3. Search by invoice number, such as INV-2026-04417, or by your purchase order number.

## Downloading

- Select the invoice number to open it, then **Download PDF**.
- Tick several invoices and choose **Download as ZIP** for a batch.
- **Export list** produces a spreadsheet of the invoices shown, handy for reconciling
  your ledger.

## Sending to your accounts team

Choose **Email a copy** and enter any address. To have every new invoice sent straight
to an accounts payable mailbox, ask the service desk to set it as your organisation's
invoice address.

## Who can see invoices

Only portal users your organisation has marked as finance contacts see the **Invoices**
page. If the page is missing from your menu, ask your organisation's portal
administrator.

## Questions about an invoice

If an amount looks wrong, open the invoice and select **Query this invoice**. This
raises an enquiry linked to the invoice and puts its payment reminder on hold while we
look into it.
""",
    ),
    DemoArticle(
        slug="paying-brightwater-invoices",
        title="Payment methods and terms",
        summary="Pay by bank transfer, card or Direct Debit, and what our 30-day terms mean.",
        category="Orders, billing and returns",
        tags=("payment", "bank transfer", "bacs", "card", "direct debit", "terms", "overdue"),
        products=(),
        audience=_CUST,
        body="""\
Our standard payment terms are 30 days from the invoice date. Service contracts and
HydroLink licences are invoiced annually in advance unless you have agreed quarterly
payments with your account manager.

## Ways to pay

- **Bank transfer (BACS or Faster Payments)** - sort code 80-22-60, account 11223344,
  Brightwater Systems Ltd. Quote the invoice number as the reference.
- **Card** - select **Pay now** on the invoice in the portal. We accept Visa and
  Mastercard debit and credit cards, with no surcharge.
- **Direct Debit** - recommended for licences and contracts. Set up a mandate under
  **Account > Payment details**; collections are taken on the due date.

Please do not send cheques; we no longer bank them.

## Remittance advice

Email remittances to accounts@brightwater.example, or add a note when paying by card.
Payments normally show against the invoice in the portal within two working days.

## Overdue amounts

- We send a reminder seven days after the due date and another at 21 days.
- Accounts more than 60 days overdue may be placed on hold, which pauses spare-part
  orders but never emergency support.
- If you are having difficulty paying, talk to us early: we can usually agree a plan.

## Bank detail changes

We will never change our bank details by email. If you receive a message claiming our
account has changed, phone us on a number you already know before paying.
""",
    ),
    DemoArticle(
        slug="purchase-order-and-vat-details",
        title="Adding a purchase order number or correcting VAT details",
        summary="Make sure your PO number, VAT number and invoice address appear correctly.",
        category="Orders, billing and returns",
        tags=("purchase order", "po number", "vat", "vat number", "invoice address", "reissue"),
        products=(),
        audience=_CUST,
        body="""\
Many accounts payable teams reject invoices that lack a purchase order number or show
an old address. Set your details once and every future invoice will carry them.

## Giving us a PO number

- For a one-off order, type the PO number in the **Your reference** field when ordering
  or accepting a quote.
- For a service contract or HydroLink licence, send us the annual PO before the
  renewal date; we show it on each invoice for that contract.
- If your organisation requires a PO on every invoice, ask us to mark the account
  **PO mandatory**. We will then hold any order until a number is supplied.

## Correcting an invoice that is missing a PO

Open the invoice in **Account > Invoices**, select **Query this invoice** and enter the
PO number. We cancel the original with a credit note and reissue it, usually within two
working days. The payment date runs from the reissue date.

## VAT number and invoice address

1. Open **Account > Company details**. Only finance contacts can change these.
2. Update the VAT registration number or invoice address.
3. Changes apply to invoices raised from the next day; they are not applied to
   earlier invoices automatically.

## VAT treatment

Equipment and services are standard-rated. Customers in Northern Ireland or outside
the UK should contact us before ordering, as different VAT rules may apply.
""",
    ),
    DemoArticle(
        slug="returning-a-product-rma",
        title="Returning a product: getting an RMA number",
        summary="Every return needs a Return Material Authorisation; here is how to get one.",
        category="Orders, billing and returns",
        tags=("return", "rma", "returns", "authorisation", "repair", "exchange", "label"),
        products=(),
        audience=_CUST,
        body="""\
We can only accept equipment back with a Return Material Authorisation (RMA) number.
It tells our workshop what is arriving, why, and who to contact, so your repair or
credit is not delayed.

## Requesting an RMA

1. Raise a service request in the portal, or open the existing one for the fault.
2. Select **Request return** and enter the serial number of each unit.
3. Choose the reason: fault under warranty, repair outside warranty, wrong item
   delivered, or unwanted item.
4. We reply within one working day with the RMA number and a prepaid label where the
   return is our responsibility.

## Preparing the item

- Flush dosing pumps and sensor packs with clean water and drain them. We cannot accept
  equipment containing chemical residue.
- Complete and sign the decontamination declaration included with the RMA email.
- Pack the item in its original box or equivalent protection.
- Write the RMA number clearly on the outside of the box.

## What happens next

- Faulty items are tested within five working days of arrival.
- Warranty repairs and exchanges are free. For other repairs we send a quote first.
- Unwanted items in unopened packaging, returned within 30 days, are credited less a
  15 percent restocking charge.

## Advance replacement

For critical items under a service contract we can dispatch a replacement before the
faulty one arrives. Ask when you request the RMA.
""",
    ),
    DemoArticle(
        slug="warranty-cover-and-claims",
        title="Warranty cover and how to make a claim",
        summary="What the two-year warranty covers, what it excludes and how to claim.",
        category="Orders, billing and returns",
        tags=("warranty", "warranty claim", "cover", "exclusions", "two years", "defect"),
        products=_CTRL + _SENS + _PUMP + _FILT + _GATE,
        audience=_PUB,
        body="""\
All Brightwater equipment carries a two-year warranty from the date of delivery against
defects in materials and workmanship. Equipment commissioned by Brightwater or a
certified partner has this extended to three years.

## What is covered

- Electronic failures in controllers, sensor packs, pumps and gateways.
- Mechanical failures of pump drives and filter valve heads.
- Parts and labour at our workshop, and return carriage in the UK.

## What is not covered

- Consumables: membrane caps, electrolyte, pH electrodes, diaphragms, valve balls,
  filter cartridges and media.
- Damage from frost, lightning, flooding or incorrect supply voltage.
- Chemical attack caused by using a chemical the product is not rated for.
- Faults caused by installation that did not follow our instructions, or by repairs
  from anyone other than Brightwater or a certified partner.

## Making a claim

1. Raise a service request describing the fault, with the serial number and the date
   of purchase or invoice number.
2. Our engineers may ask for photos or try remote diagnosis first; many faults can be
   fixed with a setting or firmware change.
3. If the unit needs to come back, we issue an RMA number and a prepaid label.
4. We repair or exchange the unit, normally within ten working days of receiving it.

A repaired or exchanged unit is covered for the rest of the original warranty, or
six months, whichever is longer.
""",
    ),
    DemoArticle(
        slug="delivery-times-and-damaged-goods",
        title="Delivery times, tracking and reporting damaged goods",
        summary="When your order will arrive, how to track it and what to do if it is damaged.",
        category="Orders, billing and returns",
        tags=("delivery", "tracking", "courier", "damaged", "lead time", "dispatch"),
        products=(),
        audience=_PUB,
        body="""\
We dispatch from our Glasgow warehouse by courier or, for filter units and pallets, by
pallet network.

## Lead times

- Stock spare parts ordered before 14:00: next working day to most UK mainland
  addresses; two days to the Highlands and Islands.
- Controllers, sensor packs and pumps: three to five working days.
- ClearFlow filter units: two to three weeks, as each unit is built to order.

## Tracking your order

When your order leaves us, we email a tracking link and show it on the order in
**Account > Orders**. Pallet deliveries are booked by phone with your site contact;
please give us a number that will be answered on the day.

## Checking the delivery

1. Count the boxes against the delivery note before signing.
2. If a box is visibly damaged, sign the courier's device as *damaged* or *unchecked*.
3. Unpack and inspect the goods within two working days.

## Reporting damage

Raise a complaint in the portal within two working days of delivery, with:

- photos of the outer packaging and the damaged item,
- the delivery note number,
- how the courier's record was signed.

Keep the packaging: the carrier may need to collect it. We will arrange a replacement
and a collection of the damaged item at no cost to you. Damage reported later than
two working days can still be claimed, but may take longer to settle.
""",
    ),
    DemoArticle(
        slug="ordering-spare-parts-and-consumables",
        title="Ordering spare parts and consumables",
        summary="Find part numbers and order membrane caps, service kits, cartridges and buffers.",
        category="Orders, billing and returns",
        tags=("spare parts", "consumables", "part number", "order", "price list", "stock"),
        products=_SENS + _PUMP + _FILT,
        audience=_CUST,
        body="""\
Keeping a small stock of consumables on site avoids downtime while you wait for a
delivery. The current parts price list is in Documents.

## Common part numbers

| Part | Number |
| --- | --- |
| Chlorine membrane cap kit | ASP-MC-01 |
| pH electrode | ASP-PH-02 |
| pH 4 and pH 7 buffer set | ASP-BF-47 |
| Pump service kit, 10 l/h | CF-SK-10 |
| Pump service kit, 25 l/h | CF-SK-25 |
| Injection valve | CF-IV-01 |
| Filter cartridge pack, 5 micron | CF-FC-05 |
| Housing O-ring set | CF-OR-02 |

## How to order

1. Select **Account > Orders > New order**, search by part number or description and
   add items to the basket.
2. Add your purchase order number in **Your reference**.
3. Confirm the delivery address; you can choose any site registered to your account.
4. Submit. Orders placed before 14:00 for stock items leave the same day.

You can also email orders to orders@brightwater.example with your account number.

## Suggested site stock

- One membrane cap kit and a buffer set per sensor pack.
- One service kit and an injection valve per pump.
- One cartridge pack per filter unit.

Service contract customers receive a 10 percent discount on consumables, applied
automatically at checkout.
""",
    ),
    # --- Partner resources -----------------------------------------------------------------
    DemoArticle(
        slug="partner-aquasense-commissioning-checklist",
        title="Commissioning checklist for AquaSense and ClearFlow installations",
        summary="The checks a certified partner completes before handing a system to the customer.",
        category="Partner resources",
        tags=("commissioning", "checklist", "handover", "sign-off", "installer"),
        products=_CTRL + _SENS + _PUMP,
        audience=_PART,
        body="""\
Every system installed by a partner must be commissioned against this checklist before
handover. Upload the completed checklist to the partner portal within five working days
to activate the customer's three-year extended warranty.

## Mechanical

1. Controller mounted level, at eye height, with no chemical lines above it.
2. Sensor pack flow cell upright, sample flow 30 to 60 l/h, drain to a visible tundish.
3. Pump suction height under 1.5 m; anti-siphon and pressure relief valves fitted where
   required.
4. Injection valve pointing upwards; all unions hand-tight and leak-free at 10 bar.
5. Chemical containers in a bund sized for 110 percent of the largest container.

## Electrical

1. Each unit on its own fused spur, labelled.
2. RS-485 screened cable with the screen earthed at the controller end only;
   termination ON at the last device.
3. Flow switch interlock tested: stopping the main flow stops dosing within 10 s.

## Configuration

1. Firmware at the current release on controller, sensor pack and gateway.
2. NTP server set and synchronised; time zone Europe/London.
3. Setpoints, alarm limits and maximum outputs agreed with the customer in writing.
4. Chlorine and pH calibrated; drawdown test completed on each pump.
5. Configuration backup saved and given to the customer.

## Handover

1. Customer shown alarm acknowledgement, calibration and container changes.
2. Gateway claimed into the customer's dashboard, not the partner's demo account.
3. Safety card posted beside the dosing skid.
""",
    ),
    DemoArticle(
        slug="partner-dosing-skid-installer-guide",
        title="Installer guide: pre-assembled ClearFlow dosing skids",
        summary="Positioning, anchoring, plumbing and wiring a pre-assembled dosing skid.",
        category="Partner resources",
        tags=("dosing skid", "installer guide", "anchoring", "bund", "pipework", "installer"),
        products=_PUMP + _CTRL,
        audience=_PART,
        body="""\
Pre-assembled skids arrive with two ClearFlow pumps, a bunded tank stand, pulsation
dampers and an AquaSense controller on a single polypropylene frame. This guide covers
the partner's site work.

## Receiving the skid

- The skid weighs 85 kg empty; use a pallet truck and two people to position it.
- Check the tilt indicator on the crate. If it has triggered, photograph it and note
  it on the delivery record before signing.

## Positioning and anchoring

1. Leave 600 mm in front of the pumps and 300 mm at each side for servicing.
2. Stand the skid on a level concrete floor and check the bund is level with a spirit
   level.
3. Anchor through the four feet with stainless M10 anchors.

## Pipework

1. Connect the discharge manifold to the injection points with 10 mm PE tube rated for
   the chemical, or PVC-U pipe for runs over 10 m.
2. Support tube every 500 mm and keep it away from hot surfaces.
3. Pressure-test with water at 1.5 times working pressure for 30 minutes before
   introducing chemical.

## Wiring

1. Bring one 230 V supply to the skid isolator; the skid distributes power internally.
2. Connect the flow switch and any external stop signals to the controller's digital
   inputs DI1 and DI2.
3. Connect the sample line to the sensor pack and the drain to a tundish.

Complete the commissioning checklist and photograph the finished installation for the
partner portal record.
""",
    ),
    DemoArticle(
        slug="partner-hydrolink-site-survey",
        title="Site survey for HydroLink gateways",
        summary="Checking power, network, mobile signal and cabling before quoting a gateway.",
        category="Partner resources",
        tags=("site survey", "signal survey", "network", "cabling", "quotation", "installer"),
        products=_GATE,
        audience=_PART,
        body="""\
A short survey before quoting avoids return visits. Record the results on the survey
form in the partner portal and attach photos of the panel and the network cabinet.

## Power

- Is there a 24 V DC supply with spare capacity in the control panel, or a socket for
  the plug-in supply?
- Is the panel fed from a UPS? If so, the gateway keeps reporting during power cuts.

## Network

1. Ask the customer's IT contact whether a wired port is available and on which VLAN.
2. Give them the HydroLink firewall requirements and confirm outbound ports 8883 and
   443 are allowed, or that a proxy will be needed.
3. Note whether the site uses a captive-portal guest network, which the gateway cannot
   use.

## Mobile signal

1. Use a phone with a SIM on the same network as the managed SIM.
2. Measure RSRP inside the panel with the door closed and outside the panel.
3. Better than -100 dBm inside: standard stub antenna. Between -100 and -110 dBm:
   external antenna kit. Worse than -110 dBm: roof antenna or a wired connection.

## Devices and cabling

- List every controller and pump to connect and whether each has RS-485 or Ethernet.
- Measure cable runs; RS-485 up to 1,000 m, Ethernet up to 90 m.
- More than 16 devices needs a second gateway.

Quote using the partner price list and attach the survey to the opportunity.
""",
    ),
    DemoArticle(
        slug="partner-pricing-and-discount-approval",
        title="Requesting partner pricing and discount approval",
        summary="How partner price bands work and how to ask for a special discount on a deal.",
        category="Partner resources",
        tags=("partner pricing", "discount", "approval", "price band", "quote", "margin"),
        products=(),
        audience=_PART,
        body="""\
Partners buy at a discount from the list price according to their partner tier. Larger
or competitive deals can qualify for extra discount with approval from Brightwater
Sales.

## Standard partner discounts

| Tier | Equipment | Consumables | HydroLink licences |
| --- | --- | --- | --- |
| Registered | 15% | 10% | 10% |
| Certified | 25% | 15% | 15% |
| Premier | 32% | 20% | 20% |

Current net prices are in the partner price list in Documents. Prices are fixed for
the financial year starting 1 April.

## Asking for a special discount

1. Register the opportunity in the partner portal first; unregistered deals are not
   eligible.
2. On the opportunity select **Request pricing** and list the products and quantities.
3. Explain why extra discount is needed: competitor, multi-site rollout, public tender.
4. Your account manager replies within two working days. Requests over 40 percent
   total discount need approval from the sales director and can take five days.

## Approved pricing

- Approved prices are valid for 90 days and only for the named end customer.
- Quote the approval number on your purchase order so our order desk applies it.
- If the deal slips beyond 90 days, ask for an extension before the approval expires.
""",
    ),
    DemoArticle(
        slug="partner-registering-opportunities",
        title="Registering a sales opportunity as a partner",
        summary="Register deals early to protect them and unlock partner pricing.",
        category="Partner resources",
        tags=("deal registration", "opportunity", "sales", "protection", "pipeline"),
        products=(),
        audience=_PART,
        body="""\
Registering an opportunity tells us you are working with a customer, so we do not
quote them directly or through another partner while your deal is active.

## What qualifies

- A named end customer and site.
- A real project with an expected close date within 12 months.
- A value of at least 2,500 pounds at list price.

## How to register

1. In the partner portal select **Opportunities > New**.
2. Enter the customer organisation, site, contact and expected close date.
3. Add the products and estimated quantities, and the deal value.
4. Describe the project: retrofit, new build, tender or expansion.
5. Submit. Registration is confirmed within two working days.

## Protection period

- A registered opportunity is protected for 120 days from confirmation.
- Update the stage and notes at least every 30 days; stale registrations lapse.
- You can request one 60-day extension if the project is delayed.

## When two partners register the same deal

The first complete registration wins. If the customer asks to work with a different
partner, we will tell both partners and follow the customer's choice.

## After winning or losing

Mark the opportunity **Won** with your purchase order reference, or **Lost** with a
reason. Lost reasons help us improve pricing and products, and are never shared with
other partners.
""",
    ),
    DemoArticle(
        slug="partner-installer-certification",
        title="Partner installer certification and training",
        summary="Courses, assessments and renewal requirements for certified installers.",
        category="Partner resources",
        tags=("certification", "training", "course", "assessment", "installer", "renewal"),
        products=(),
        audience=_PART,
        body="""\
Only certified installers may commission systems that carry the extended warranty.
Certification is personal: each engineer holds their own certificate.

## The course

- Two days at our Glasgow training centre or at a partner's premises for six or more
  engineers.
- Day one: AquaSense controllers and sensor packs, calibration, alarms, HydroLink.
- Day two: ClearFlow pumps and filters, chemical safety, commissioning practice on a
  live rig.
- The course is free for partners at Certified tier and above.

## Assessment

1. A 40-question online test at the end of day two; the pass mark is 80 percent.
2. A practical assessment: commissioning a rig with three deliberate faults.
3. Certificates are issued within a week and appear on the partner portal profile.

## Keeping certification current

- Certificates last two years.
- Complete the online update module each time a major firmware release comes out.
- Commission at least three systems in the two years, or attend a refresher day.

## Prerequisites

Engineers should already hold a recognised electrical qualification and a chemical
handling or COSHH awareness certificate.

Book places under **Partner resources > Training** in the partner portal. Course dates
are announced in partner news.
""",
    ),
    DemoArticle(
        slug="partner-warranty-claims-for-customers",
        title="Submitting warranty claims on behalf of an end customer",
        summary="How partners claim warranty parts and labour for systems they installed.",
        category="Partner resources",
        tags=("warranty claim", "labour claim", "end customer", "advance replacement", "partner"),
        products=(),
        audience=_PART,
        body="""\
When a system you installed develops a fault under warranty, you can claim the
replacement part and, for certified partners, a fixed labour allowance.

## Before claiming

- Confirm the serial number is within warranty in **Partner portal > Installed base**.
- Try the remote diagnosis steps in the knowledge base; many faults are settings.
- Photograph the rating plate and the fault.

## Making the claim

1. Open a service issue in the partner portal and link it to the end customer's
   organisation so the customer can follow it too.
2. Select **Warranty claim** and enter the serial number, fault and the date you
   attended.
3. Choose **Advance replacement** if the customer's supply is affected; we dispatch the
   same day for orders before 14:00.
4. Return the faulty part within 14 days using the RMA label we send. Unreturned parts
   are invoiced at net price.

## Labour allowance

| Job | Allowance |
| --- | --- |
| Sensor pack or probe swap | 0.5 hours |
| Pump or pump head swap | 1 hour |
| Controller swap and restore | 1.5 hours |
| Filter valve head swap | 2 hours |

Allowances are paid at the rate in your partner agreement as a credit note each month.

## Flow-sensor replacement programme

Pumps with a flow sensor from the affected batch are covered whatever their warranty
status. Claim these as warranty with reason **Replacement programme**.
""",
    ),
    DemoArticle(
        slug="partner-demo-kit-loans",
        title="Borrowing a demonstration kit",
        summary="Book a portable AquaSense and HydroLink demo case for customer meetings.",
        category="Partner resources",
        tags=("demo kit", "loan", "demonstration", "trade show", "booking"),
        products=_CTRL + _SENS + _GATE + _DASH,
        audience=_PART,
        body="""\
Our portable demo case lets you show a working system to a customer in any meeting
room. It contains an AquaSense controller, a sensor pack with a sealed test cell, a
mini ClearFlow pump running on water and a HydroLink gateway with a 4G SIM.

## Booking

1. In the partner portal open **Partner resources > Demo kits**.
2. Choose the dates; loans are up to ten working days.
3. Give the delivery address and the customer or event it is for.
4. We confirm and courier the case to arrive the day before your first meeting.

## Using the kit

- Plug it into any socket; it starts in demonstration mode within two minutes.
- The gateway reports to a demonstration dashboard. Log in with the partner demo
  account shown on the inside of the lid.
- Buttons on the test cell simulate high chlorine (A11), a flow fault (E42) and a
  communication loss (A03), so you can show alarms and alert messages live.

## Returning it

- Reset the kit with **Menu > Demo > Reset** so the next partner starts clean.
- Pack everything in its foam slots and use the return label in the lid pocket.
- Missing or damaged items are charged at partner net price.

Kits are in demand before trade shows, so book at least three weeks ahead.
""",
    ),
    # --- Employee help ---------------------------------------------------------------------
    DemoArticle(
        slug="employee-expense-claims",
        title="Claiming expenses: mileage, meals and hotels",
        summary="What you can claim, the current rates and how to submit receipts.",
        category="Employee help",
        tags=("expenses", "expense claim", "mileage", "receipts", "subsistence", "reimbursement"),
        products=(),
        audience=_EMP,
        body="""\
Brightwater reimburses reasonable costs you incur while working away from your normal
base. Claims are submitted monthly through the expenses system and paid with the next
salary run after approval.

## What you can claim

- **Mileage** in your own car at 45p a mile for the first 10,000 business miles in the
  tax year, then 25p. Do not claim your normal commute.
- **Meals** when working more than five hours away from base: up to 8 pounds for lunch
  and 25 pounds for an evening meal when staying overnight.
- **Hotels** booked through the travel desk. If you book yourself, the limit is 110
  pounds a night, or 150 pounds in central Edinburgh, Glasgow or Aberdeen.
- **Parking, tolls and ferries** at cost.

Alcohol, fines and personal items cannot be claimed.

## Submitting a claim

1. Photograph each receipt with the expenses app on the day.
2. Choose the category and, for customer visits, the service request or customer
   account so costs can be recharged.
3. Submit the month's claim by the third working day of the following month.
4. Your line manager approves it; finance checks it and schedules payment.

## Company cards and vans

Fuel for company vans goes on the fuel card, not on a claim. Field technicians with a
company credit card reconcile it in the same system by the same deadline.

Claims older than three months are not paid except in exceptional circumstances
agreed by finance.
""",
    ),
    DemoArticle(
        slug="employee-vpn-remote-access",
        title="Connecting to the VPN from home or a customer site",
        summary="Install and use the VPN client to reach internal systems away from the office.",
        category="Employee help",
        tags=("vpn", "remote access", "working from home", "always on", "mfa prompt"),
        products=(),
        audience=_EMP,
        body="""\
Internal systems such as the file shares, the finance system and the remote support
tools are only reachable from the office network or over the VPN. Company laptops come
with the VPN client installed.

## Connecting

1. Connect to the internet first: home broadband, hotel Wi-Fi or your phone's hotspot.
2. Click the shield icon in the system tray and choose **Connect**.
3. Approve the prompt on your phone's authenticator app.
4. The shield turns green. Internal sites now open as they do in the office.

On most laptops the VPN connects automatically at start-up (always-on mode); you only
need the steps above if it has been switched off.

## Customer sites

Customer guest networks sometimes block VPN traffic. If the shield stays amber for
more than a minute, switch to your phone's hotspot. Never connect customer equipment
to your laptop while on a customer network without the customer's permission.

## Common problems

- **Authentication failed**: your network password may have expired. Change it on the
  office network or through the self-service password page, then try again.
- **Connected but nothing opens**: disconnect, wait ten seconds and reconnect.
- **Slow video calls**: Teams traffic bypasses the VPN automatically; if calls are poor,
  the problem is the local connection.

Raise an internal IT request in the employee portal if the VPN will not connect after
a restart.
""",
    ),
    DemoArticle(
        slug="employee-laptop-faults-and-replacement",
        title="Laptop faults, loan laptops and replacements",
        summary="What to do when your company laptop breaks, is lost or is due for replacement.",
        category="Employee help",
        tags=("laptop", "it support", "loan laptop", "lost device", "hardware", "refresh"),
        products=(),
        audience=_EMP,
        body="""\
Company laptops are replaced every four years, or sooner if they fail. IT keeps a small
pool of loan laptops so nobody is left without a machine for long.

## If your laptop develops a fault

1. Restart it. Many problems clear after a full restart rather than sleep.
2. Check for pending updates under **Settings > Update** and install them.
3. Raise an internal IT request in the employee portal, describing the fault and
   attaching a photo of any error message.
4. For hardware faults, IT arranges a swap. Your files are safe in OneDrive; anything
   saved only on the desktop should be copied there first.

## Loan laptops

Collect a loan laptop from reception at Finnieston Quay, or ask IT to courier one if
you work in the field. Loans are set up with your account within an hour of your
request on a working day.

## Lost or stolen laptops

Report it to IT at once, day or night, on the IT emergency number on the back of your
ID badge. IT locks and wipes the laptop remotely. Report thefts to the police and
give IT the crime reference number.

## Refresh programme

IT contacts you when your laptop reaches four years old. The new laptop arrives set
up; hand back the old one, with its charger, within two weeks. Field technicians'
rugged laptops are replaced on a three-year cycle.
""",
    ),
    DemoArticle(
        slug="employee-booking-annual-leave",
        title="Booking annual leave and public holidays",
        summary="Your holiday entitlement, how to book leave and the company's fixed holidays.",
        category="Employee help",
        tags=("annual leave", "holiday", "time off", "entitlement", "bank holidays"),
        products=(),
        audience=_EMP,
        body="""\
Full-time employees receive 25 days of annual leave plus nine fixed public holidays a
year. Part-time entitlement is calculated pro rata. The holiday year runs from
1 January to 31 December.

## Booking leave

1. Open the HR system and select **Request leave**.
2. Choose the dates and whether each day is full or half.
3. Add a note if the request is urgent or unusual.
4. Your manager approves or declines within five working days. You receive an email
   either way.

Please give at least twice as much notice as the length of the leave; for example two
weeks' notice for a week off.

## Service desk and field service

Because we provide cover every working day, no more than two people from the service
desk and two field technicians may be on leave at the same time. Requests are approved
in the order they are received. Leave in the two weeks around Christmas is shared out
by rota.

## Carrying over leave

You may carry up to five unused days into the next year; they must be used by
31 March. Unused days beyond that are lost unless illness prevented you from taking
them.

## Fixed holidays

The company closes on the Scottish public holidays listed in the holiday calendar in
Documents. The on-call rota covers emergency support on those days.
""",
    ),
    DemoArticle(
        slug="employee-on-call-rota-and-standby",
        title="On-call rota and standby payments",
        summary="How the out-of-hours rota works, what is expected and how standby is paid.",
        category="Employee help",
        tags=("on call", "standby", "rota", "out of hours", "overtime", "callout payment"),
        products=(),
        audience=_EMP,
        body="""\
Contract customers can call the emergency line for P1 emergencies outside our support
hours, which the portal shows from the service calendar. A support engineer
and a field technician are on call for a week at a time, handing over on Monday
morning.

## The rota

- The rota is published three months ahead on the service desk SharePoint page.
- Swaps are fine if you agree them with a colleague and tell the service supervisor.
- Nobody is put on call more than one week in four without agreeing to it.

## While on call

1. Keep the on-call phone charged and with you, and stay within 90 minutes' drive of
   Glasgow.
2. Answer emergency line calls within 15 minutes.
3. Log every call as a service request, even if you solve it on the phone.
4. Do not drink alcohol.

## Payments

- Standby allowance: 35 pounds a weekday night and 60 pounds a weekend day or public
  holiday.
- Call-outs: time and a half for time worked, minimum one hour per call, door to door
  for site attendance.
- Claim call-out hours on your timesheet by the following Wednesday.

## Rest

If you work more than three hours after midnight, start the next day late; you need at
least 11 hours' rest between shifts. Tell your manager in the morning.
""",
    ),
    DemoArticle(
        slug="employee-new-starter-it-setup",
        title="New starter IT set-up",
        summary="Your first-day log-in, laptop, phone and the systems you will be given.",
        category="Employee help",
        tags=("new starter", "onboarding", "first day", "accounts", "it induction"),
        products=(),
        audience=_EMP,
        body="""\
Welcome to Brightwater. IT prepares everything before your first morning so you can
start work straight away.

## On your first day

1. Collect your laptop, phone and ID badge from reception at Finnieston Quay.
2. Your manager gives you a sealed envelope with a temporary network password.
3. Log in to the laptop while connected to the office network and choose a new
   password of at least 14 characters.
4. Set up the authenticator app on your phone when prompted; you will need it for the
   VPN, email and the Portico console.

## Systems you will have

- Email, Teams and OneDrive.
- The employee portal for internal requests, news and documents.
- The Portico console if you work in service, sales or field service; your manager
  asks for the right user group.
- The HR system for leave, payslips and personal details.
- The expenses app, if your role involves travel.

## IT induction

A 45-minute session with IT runs every Monday at 10:00. It covers security, phishing,
saving files and how to raise IT requests. Please attend within your first two weeks.

## Security basics

- Lock your screen whenever you leave your desk.
- Never share your password, even with IT; we will never ask for it.
- Report suspicious emails with the **Report phishing** button.
""",
    ),
    # --- Service desk internal (staff only) ------------------------------------------------
    DemoArticle(
        slug="internal-escalation-matrix",
        title="Escalation matrix for service issues",
        summary="Who to escalate to, and when, by priority and by how long a case has been open.",
        category="Service desk internal",
        tags=("escalation", "matrix", "supervisor", "breach", "management", "sla"),
        products=(),
        audience=_STAFF,
        body="""\
Use this matrix whenever a service issue is at risk of missing its target or the
customer asks for escalation. Escalating early is always better than explaining a
breach later.

## By priority

| Priority | First escalation | Second escalation | Third escalation |
| --- | --- | --- | --- |
| P1 | duty support engineer at once | service supervisor after 1 h | head of service after 4 h |
| P2 | support engineer after 2 h | service supervisor after 1 day | head of service after 3 days |
| P3 | service supervisor after 5 days | head of service after 10 days | - |
| P4 | service supervisor after 10 days | - | - |

## Other triggers

- A complaint that mentions legal action, the regulator or the press: service
  supervisor and head of service the same day.
- Any chemical exposure, injury or near miss on a customer site: health and safety
  manager immediately, whatever the priority.
- Three or more P1 or P2 issues from one customer in 30 days: the account manager.
- Suspected product defect affecting several customers: product engineering manager,
  with the serial numbers.

## How to escalate

1. Add an internal note giving the reason and what has been tried.
2. Assign the transaction to the person for action; the system notifies them.
3. Phone them for P1 and P2; do not rely on the notification alone.
4. Tell the customer it has been escalated and when they will next hear from us.
""",
    ),
    DemoArticle(
        slug="internal-flow-sensor-batch-recall",
        title="Known issue: ClearFlow flow-sensor batch recall",
        summary="Flow sensors from batch FS-2409 fail early with E42; check the serial and swap.",
        category="Service desk internal",
        tags=("recall", "flow sensor", "e42", "batch fs-2409", "known issue", "serial range"),
        products=_PUMP,
        audience=_STAFF,
        body="""\
In October product engineering confirmed that flow sensors from batch FS-2409 can
fail within months of installation. A faulty solder joint opens up with temperature
cycling and the pump raises alarm **E42**. The customer-facing wording is the
"flow-sensor replacement programme"; please do not use the word recall with customers.

## Affected serial numbers

- Flow sensor serials **FS2409-0001 to FS2409-1850**, fitted to pumps built between
  May and August this year.
- The serial is laser-etched on the sensor body, not on the pump rating plate. Ask for a
  photo if the customer cannot read it.

## Handling an E42 call

1. Talk the customer through the sensor reset in the E42 article.
2. If E42 returns, ask for the flow sensor serial.
3. In the affected range: set root cause **Component recall**, order part CF-FS-02
   free of charge and dispatch a technician for P1 or P2; for P3 send the part by
   courier with fitting instructions.
4. Outside the range: treat as a normal fault and follow warranty rules.
5. Link the transaction to the parent problem record for batch FS-2409 so engineering
   can count failures.

## Proactive swaps

The account team is contacting every customer with affected pumps to book swaps by the
end of January. Check the parent record before booking a visit; the swap may already
be scheduled.
""",
    ),
    DemoArticle(
        slug="internal-sensor-pack-firmware-2-3-hang",
        title="Known issue: sensor pack firmware 2.3 stops updating readings",
        summary="Firmware 2.3 sensor packs hang after days of running; remote restart and update.",
        category="Service desk internal",
        tags=("known issue", "firmware 2.3", "hang", "watchdog", "remote restart", "2.4"),
        products=_SENS,
        audience=_STAFF,
        body="""\
Sensor packs on firmware 2.3 can stop taking new measurements after four to nine days of
continuous running. The RS-485 link keeps answering with the last values, so the
controller raises no A03 and the readings look frozen. Firmware 2.4 fixes the
watchdog that should have restarted the measurement task.

## Recognising it

- Customer reports chlorine or pH stuck on the same figure.
- On the HydroLink dashboard the trend is perfectly flat, not just steady.
- **Devices > Sensor pack > Diagnostics** shows *Measurement task: stalled*.

## Fixing it remotely

1. Open a remote session through HydroLink, following the remote session procedure.
2. Send **Restart sensor pack** from the device page. Readings resume within two
   minutes.
3. Schedule the 2.4 update for a time agreed with the customer; it takes eight minutes
   and dosing holds at its last output meanwhile.
4. Resolve with root cause **Firmware defect** and link to the 2.3 problem record.

## Sites without HydroLink

Talk the customer through a restart from the controller (**Sensors > Restart**) and
email them the 2.4 file with the USB instructions. Offer a technician visit if they
are not comfortable updating themselves.

## Do not

Do not advise a factory reset: it clears the calibration and does not prevent the
hang.
""",
    ),
    DemoArticle(
        slug="internal-remote-session-procedure",
        title="Running a remote support session through HydroLink",
        summary="Consent, logging and safety rules for connecting to customer equipment remotely.",
        category="Service desk internal",
        tags=("remote session", "remote support", "consent", "hydrolink", "procedure"),
        products=_GATE + _DASH + _CTRL,
        audience=_STAFF,
        body="""\
Remote sessions let support engineers read diagnostics, restart devices and change
settings on customer equipment through the customer's HydroLink gateway. Because
changes can affect dosing on a live water supply, strict rules apply.

## Before connecting

1. Get the customer's consent for this session, by phone or in a shared note on the
   transaction. Consent covers one session only.
2. Confirm who is on site and how to reach them while you are connected.
3. Check the customer's dashboard for active alarms so you know the starting state.

## During the session

- Start the session from the transaction's **Remote session** button, so it is logged
  against it automatically.
- Read before you write: collect diagnostics and screenshots first.
- Never change setpoints, alarm limits or maximum outputs without the customer
  agreeing to each value.
- Before restarting a controller or a pump, tell the person on site that dosing will
  pause.
- Firmware updates only in a window the customer has agreed in writing.

## After the session

1. Confirm with the site contact that dosing and readings are normal.
2. Add a shared note summarising what you did and any settings changed.
3. Add an internal note with technical detail and attach the diagnostics export.
4. End the session; sessions left open are closed automatically after 60 minutes.

Sessions are recorded in the audit trail and reviewed monthly by the service supervisor.
""",
    ),
    DemoArticle(
        slug="internal-p1-out-of-hours-callout",
        title="P1 out-of-hours call-out procedure",
        summary="Steps for the on-call engineer when an emergency call comes in overnight.",
        category="Service desk internal",
        tags=("p1", "out of hours", "callout", "on call", "emergency", "dispatch"),
        products=(),
        audience=_STAFF,
        body="""\
This procedure applies to calls on the 24-hour emergency line outside service desk
hours. Only contract customers are entitled to out-of-hours support; check the contract
flag on the organisation record.

## Taking the call

1. Record the call as a service issue with channel **Phone** and priority P1 if
   disinfection has stopped or chemical is leaking; otherwise P2 for the morning.
2. Confirm the site is safe. For leaks or exposure, the customer's own emergency
   procedure comes first.
3. Try remote diagnosis through HydroLink where available, following the remote
   session procedure.

## Deciding to attend

Attend when:

- dosing cannot be restored remotely and the supply is live, or
- the customer has no safe manual dosing arrangement.

Otherwise agree a holding position, such as manual dosing with hourly checks, and book
a day-time visit.

## Dispatching

1. Phone the on-call field technician; do not rely on an assignment notification.
2. Assign the transaction to them for action with an internal note of the parts likely
   to be needed.
3. Give the customer an arrival estimate and record it in a shared note.

## Next morning

- Hand over at the morning service desk stand-up.
- Make sure the transaction has clear notes, time records and any parts used.
- Non-contract customers who were helped in good faith are invoiced the standard
  call-out rate unless the supervisor waives it.
""",
    ),
    DemoArticle(
        slug="internal-goodwill-credits",
        title="Issuing goodwill credits and waiving call-out charges",
        summary="Limits and approvals for goodwill gestures after service failures.",
        category="Service desk internal",
        tags=("goodwill", "credit", "waive", "call-out charge", "approval", "complaint"),
        products=(),
        audience=_STAFF,
        body="""\
A goodwill gesture can turn a bad experience around, but it must be consistent and
recorded. These limits apply per transaction.

## Approval limits

| Who | Can approve |
| --- | --- |
| CSR | waive a call-out charge up to 150 pounds; free courier on a replacement part |
| Service supervisor | credits up to 500 pounds; free consumables up to 250 pounds |
| Head of service | credits up to 2,000 pounds |
| Finance director | anything above 2,000 pounds or any contract price change |

## When a gesture is appropriate

- We missed a response or resolution target on a P1 or P2.
- A technician missed an agreed appointment without notice.
- Goods arrived damaged for a second time.
- A known defect, such as the flow-sensor batch, caused repeated visits.

It is not appropriate to offer credits simply because the customer asks, or for faults
caused by the customer's own installation.

## How to record it

1. Add an internal note stating the reason and the approver.
2. For a credit, raise a credit note request to finance with the transaction number;
   never promise an amount before it is approved.
3. Add a shared note telling the customer what has been agreed.
4. Set the root cause on the transaction so recurring failures show in the reports.

Goodwill given to the same customer more than twice in a year is reviewed by the
service supervisor with the account manager.
""",
    ),
    DemoArticle(
        slug="internal-hydrolink-licence-vat-rejection",
        title="Known issue: HydroLink licence invoices rejected by customer VAT checks",
        summary="Licence invoices show the wrong VAT code for some customers' expense systems.",
        category="Service desk internal",
        tags=("known issue", "vat", "licence invoice", "rejected", "finance", "reissue"),
        products=_DASH,
        audience=_STAFF,
        body="""\
Since the move to the new finance system, HydroLink licence invoices carry the VAT
code for digital services instead of standard-rated services. The VAT amount is right,
but some customers' accounts payable and expense systems match on the code and reject
the invoice.

## Symptoms

- The customer reports that their expense or purchase-to-pay system rejects HydroLink
  invoices at the VAT check.
- Equipment and service invoices from us are accepted normally.
- The invoice line shows tax code **DS20** rather than **S20**.

## Workaround

1. Log the issue as a service issue with issue type **Billing** and product
   **HydroLink cloud dashboard**.
2. Assign it to finance for action with an internal note giving the invoice numbers.
3. Finance reissues the invoices manually with code S20; this takes two working days.
4. Tell the customer the original invoices will be cancelled by credit note, so they do
   not pay twice.

## Permanent fix

Finance has asked the system supplier to correct the product code mapping. Until it is
released, finance reviews HydroLink invoices before they are sent each month. Link new
cases to the parent problem record so we know how many customers are affected.

Do not tell customers the VAT has been charged incorrectly; the amount is correct and
only the code is wrong.
""",
    ),
    DemoArticle(
        slug="internal-triage-priority-guide",
        title="Triage guide: choosing issue type and priority",
        summary="How the service desk classifies new service issues consistently.",
        category="Service desk internal",
        tags=("triage", "priority", "issue type", "classification", "first contact"),
        products=(),
        audience=_STAFF,
        body="""\
Consistent classification drives the response targets, the reports and the escalation
rules. Set issue type and priority on first contact; change them later if the picture
changes, with a note saying why.

## Priority

- **P1**: disinfection stopped or uncontrolled on a live supply; chemical leak not
  contained; safety risk.
- **P2**: one line or site running in a degraded state, such as manual dosing,
  unreliable readings or a filter in bypass.
- **P3**: fault with a workaround, configuration questions, dashboard problems that do
  not affect dosing.
- **P4**: information requests, quotes, documentation, feedback.

The customer's suggested priority is a starting point only. Ask what is happening on
site now, not how annoyed they are.

## Issue type

- **Fault**: equipment not working as designed.
- **Configuration**: settings, networking, NTP, dashboard set-up.
- **Billing**: invoices, licences, VAT, payments.
- **Delivery**: late, wrong or damaged goods; use a complaint for damage.
- **How-to**: answered from the knowledge base; link the article you used.

## Quick checks before assigning

1. Search the knowledge base with the alarm code or symptom.
2. Check for open transactions on the same site; link duplicates.
3. Check known issues: flow-sensor batch FS-2409 and sensor pack firmware 2.3.
4. Assign to a technician only when remote or phone help has been tried.
""",
    ),
]

FAQS: list[DemoFaq] = [
    DemoFaq(
        "What are the service desk's opening hours?",
        "Our support hours are shown on the portal home page and beside the new request "
        "form, with any holiday closures coming up; response times count those hours "
        "only. Contract customers can use the emergency line on their contract for P1 "
        "issues.",
        "Getting started",
        _PUB,
    ),
    DemoFaq(
        "Which chemical can a ClearFlow dosing pump handle?",
        "The standard PVDF head suits sodium hypochlorite up to 15 percent, dilute acids and "
        "most coagulants. For concentrated sulphuric acid or solvents ask us for the "
        "stainless head before ordering.",
        "ClearFlow pumps and filters",
        _PUB,
    ),
    DemoFaq(
        "Does the AquaSense controller work without the internet?",
        "Yes. The controller measures and doses entirely on its own; a network connection "
        "is only needed for NTP time, Modbus TCP and HydroLink remote monitoring.",
        "AquaSense controllers",
        _PUB,
    ),
    DemoFaq(
        "How often should I calibrate the chlorine sensor?",
        "Check it against a DPD photometer reading every month and calibrate if the "
        "difference is more than 0.1 mg/l. The controller raises alarm S21 when a "
        "calibration is overdue.",
        "Sensor packs",
        _CUST,
    ),
    DemoFaq(
        "What does alarm E42 on my pump mean?",
        "E42 is a flow-sensor fault: the pump cannot confirm it is delivering chemical, so "
        "it stops. See the E42 article for the reset steps, and quote the flow sensor's "
        "serial number if you raise a request.",
        "ClearFlow pumps and filters",
        _CUST,
    ),
    DemoFaq(
        "How long do pH electrodes last?",
        "Typically 12 to 18 months in clean water, less in water with oil or high "
        "temperatures. Replace the electrode when its calibration slope falls below "
        "85 percent.",
        "Sensor packs",
        _CUST,
    ),
    DemoFaq(
        "Can I connect a HydroLink gateway to our guest Wi-Fi?",
        "Only if the guest network does not use a sign-in web page. Captive portals are "
        "not supported; use Ethernet, a dedicated Wi-Fi network or the 4G option instead.",
        "HydroLink gateway and dashboard",
        _CUST,
    ),
    DemoFaq(
        "How long does the dashboard keep our data?",
        "Every reading is kept for seven years and can be exported at any time. If the "
        "gateway loses its connection it buffers up to 30 days of readings locally.",
        "HydroLink gateway and dashboard",
        _PUB,
    ),
    DemoFaq(
        "Is text message alerting included in our licence?",
        "SMS alerts are included in the Professional licence. The Essentials licence "
        "includes email alerts only; your account manager can upgrade you at any time.",
        "HydroLink gateway and dashboard",
        _CUST,
    ),
    DemoFaq(
        "I did not receive the password reset email. What now?",
        "Check your junk folder and wait ten minutes. If it still has not arrived, the "
        "address we hold may differ from the one you typed: phone the service desk to "
        "check it.",
        "Using the portal",
        _PUB,
    ),
    DemoFaq(
        "Can my colleagues see the requests I raise?",
        "Usually yes: most organisations give all their portal users read-only access to "
        "the organisation's requests. You can also share a single request with a named "
        "colleague.",
        "Using the portal",
        _CUST,
    ),
    DemoFaq(
        "Can I attach photos to a service request?",
        "Yes. Attach photos, log files or configuration backups of up to 25 MB each when "
        "you create the request or later as a note.",
        "Using the portal",
        _CUST,
    ),
    DemoFaq(
        "Where can I find a copy of an invoice?",
        "All invoices and credit notes for the last seven years are under **Account > "
        "Invoices** for portal users marked as finance contacts.",
        "Orders, billing and returns",
        _CUST,
    ),
    DemoFaq(
        "What is the warranty period?",
        "Two years from delivery, extended to three years when the system is commissioned "
        "by Brightwater or a certified partner. Consumables are not covered.",
        "Orders, billing and returns",
        _PUB,
    ),
    DemoFaq(
        "Do I need an RMA number to return something?",
        "Yes. We cannot accept returns without an RMA number; request one from the service "
        "request for the fault or from **Account > Orders**.",
        "Orders, billing and returns",
        _CUST,
    ),
    DemoFaq(
        "Do you deliver to the Scottish islands?",
        "Yes. Stock parts usually reach the Highlands and Islands in two working days; "
        "pallet deliveries may take longer depending on ferry schedules.",
        "Orders, billing and returns",
        _PUB,
    ),
    DemoFaq(
        "How do I become a certified installer?",
        "Attend the two-day certification course and pass the online and practical "
        "assessments. Book through **Partner resources > Training**.",
        "Partner resources",
        _PART,
    ),
    DemoFaq(
        "How long is a registered opportunity protected?",
        "120 days from confirmation, with one 60-day extension available if the project "
        "is delayed. Keep the stage updated at least every 30 days.",
        "Partner resources",
        _PART,
    ),
    DemoFaq(
        "How many days of annual leave do I get?",
        "Full-time employees receive 25 days plus nine fixed public holidays; part-time "
        "entitlement is pro rata.",
        "Employee help",
        _EMP,
    ),
    DemoFaq(
        "What is the mileage rate for business journeys?",
        "45p a mile for the first 10,000 business miles in the tax year and 25p after "
        "that. Your normal commute cannot be claimed.",
        "Employee help",
        _EMP,
    ),
    DemoFaq(
        "Who approves a goodwill credit over 500 pounds?",
        "The head of service, up to 2,000 pounds. Above that it goes to the finance director.",
        "Service desk internal",
        _STAFF,
    ),
    DemoFaq(
        "Which flow sensor serials are in the recall batch?",
        "FS2409-0001 to FS2409-1850. With customers, call it the flow-sensor replacement "
        "programme.",
        "Service desk internal",
        _STAFF,
    ),
]

NEWS: list[DemoNews] = [
    DemoNews(
        "Sensor pack firmware 2.4 now available",
        """\
Firmware 2.4 for the AquaSense sensor pack is now available to download from the
portal. It fixes an issue in version 2.3 where readings could stop updating after
several days of continuous running, improves bubble rejection on the turbidity probe
and speeds up start-up after a power cut.

Customers with HydroLink can ask us to schedule the update remotely. Everyone else can
install it from a USB stick through the controller; the release notes in Documents
explain how. We recommend updating every sensor pack that shows version 2.3.
""",
        _PUB,
        3,
    ),
    DemoNews(
        "Meet us at the Scottish Water Industry Expo in Aberdeen",
        """\
Brightwater Systems will be on stand 14 at the Scottish Water Industry Expo at P&J Live
in Aberdeen next month. Come and see the new HydroLink gateway G2 with built-in 4G
backup, and try the monthly compliance report in the cloud dashboard.

Our engineers will run short calibration clinics on both days; bring your questions
about chlorine and pH measurement. Entry is free for registered trade visitors.
""",
        _PUB,
        12,
    ),
    DemoNews(
        "Flow-sensor replacement programme for ClearFlow pumps",
        """\
We have found that a small number of flow sensors fitted to ClearFlow dosing pumps
built this summer can fail early, causing alarm E42. We are replacing the affected
sensors free of charge, whatever the warranty status of the pump.

Our account team is contacting every customer with affected pumps to arrange a
convenient time. If your pump shows E42 in the meantime, raise a service request with
the flow sensor's serial number and we will prioritise it.
""",
        _CUST,
        20,
    ),
    DemoNews(
        "HydroLink dashboard maintenance on Sunday morning",
        """\
The HydroLink cloud dashboard will be unavailable between 06:00 and 08:00 this Sunday
while we upgrade the database servers. Gateways will keep collecting readings during
the work and upload them automatically afterwards, so no data will be lost.

Alert messages will be delayed during the window. If you rely on dashboard alerts for
critical sites, please arrange manual checks for those two hours.
""",
        _CUST,
        1,
    ),
    DemoNews(
        "New customer portal: raise and follow requests online",
        """\
Our new customer portal is live. You can now raise service requests, attach photos,
follow progress and confirm when a problem is solved, all without picking up the phone.
The knowledge base suggests articles as you type, and many common questions, from
alarm codes to invoice copies, are answered straight away.

Your existing log-in works. If you have not used the portal before, use the Forgotten
your password link on the log-in page to set one.
""",
        _CUST,
        30,
    ),
    DemoNews(
        "Partner price list for the new financial year",
        """\
The partner price list that applies from 1 April has been published in the partner
Documents area. List prices rise by an average of 3.5 percent, while HydroLink licence
prices are unchanged. Partner discount tiers remain the same.

Quotes issued before 31 March at the current prices will be honoured for orders
received by 30 June. Please contact your account manager if you have large projects
in progress.
""",
        _PART,
        8,
    ),
    DemoNews(
        "Installer certification course dates in Dundee and Glasgow",
        """\
New dates are available for the two-day installer certification course: Dundee in the
second week of next month, and Glasgow the week after. Each course has twelve places
and is free for partners at Certified tier and above.

The course now includes a module on the HydroLink gateway G2 and its 4G backup. Book
through Partner resources in the partner portal.
""",
        _PART,
        15,
    ),
    DemoNews(
        "Christmas and New Year office hours",
        """\
The Finnieston Quay office closes early on Christmas Eve and reopens on 5 January.
The service desk runs a reduced team on the working days in between; the rota has
been shared with each team.

The on-call rota covers emergencies throughout. Please book any leave for this period
through the HR system by the end of next week so managers can confirm cover.
""",
        _EMP,
        7,
    ),
    DemoNews(
        "New expenses app goes live",
        """\
From the first of next month, expense claims move to the new expenses app. Photograph
receipts on your phone the day you get them and the app reads the amount and date
automatically. Claims are approved by your manager in the app and paid with the
following salary run.

Claims for earlier months should be submitted in the old system by the end of this
month. Finance is running two short drop-in sessions next week.
""",
        _EMP,
        5,
    ),
    DemoNews(
        "Laptop refresh for field technicians",
        """\
Field technicians will receive new rugged laptops over the next six weeks. Each new
laptop arrives with your applications, VPN and the remote support tools already
installed. IT will contact you to arrange the swap around your site visits.

Please make sure everything on your current laptop is saved in OneDrive before the
swap, and return the old laptop and charger within two weeks.
""",
        _EMP,
        40,
    ),
]

DOCUMENTS: list[DemoDocument] = [
    DemoDocument(
        title="AquaSense controller firmware 4.2 release notes",
        description="What is new and fixed in controller firmware 4.2, and how to install it.",
        filename="aquasense-controller-firmware-4.2-release-notes.txt",
        content="""\
AquaSense controller firmware 4.2 - release notes
==================================================

Release date: October
Applies to: AquaSense controller, hardware revisions C and D
File: AQS-FW-4.2.0.aqf (SHA-256 listed on the download page)

New
---
* Monthly compliance summary can be saved to USB as CSV.
* Calibration reminders (alarm S21) now configurable per probe.
* Modbus TCP registers for turbidity and flow cell temperature.
* Event log records the user PIN that changed each setting.

Fixed
-----
* NTP time was not re-synchronised after a power cut (fixed since 4.1, hardened in 4.2).
* Alarm A03 could be raised briefly when a second sensor pack was added to the bus.
* Touchscreen calibration lost after firmware update on revision C hardware.
* Chlorine trend screen showed the wrong units when mg/l and ppm were switched.

Known limitations
-----------------
* Sensor packs on firmware 2.3 should be updated to 2.4; 4.2 warns if it finds 2.3.
* Backups taken on 4.2 cannot be restored onto controllers running 3.x.

Installing
----------
1. Back up the configuration to USB.
2. Copy the .aqf file to the root of a FAT32 USB stick.
3. Settings > Maintenance > Firmware update, select the file, confirm.
4. Do not remove power while the status LED flashes amber (about 10 minutes).
5. Check Menu > About shows 4.2.0 and that dosing has resumed.

Support: +44 141 496 0110, support@brightwater.example
""",
        category="AquaSense controllers",
        audience=_CUST,
    ),
    DemoDocument(
        title="Sensor pack firmware 2.4 release notes",
        description="Fix for readings that stop updating, plus turbidity improvements.",
        filename="aquasense-sensor-pack-firmware-2.4-release-notes.txt",
        content="""\
AquaSense sensor pack firmware 2.4 - release notes
===================================================

File: ASP-FW-2.4.1.asf
Requires: controller firmware 4.0 or later

Fixed
-----
* Measurement task could stall after 4 to 9 days of continuous running, leaving
  chlorine, pH and temperature values frozen while communication stayed up.
  A watchdog now restarts the task within 30 seconds and logs event W12.
* Temperature compensation used the wrong coefficient above 35 degrees C.

Improved
--------
* Bubble rejection filter for the turbidity probe (off by default).
* Faster start-up after a power cut: readings valid after 45 seconds instead of 3 min.
* Probe serial numbers reported to the controller and to HydroLink.

Installing from the controller
------------------------------
1. Copy ASP-FW-2.4.1.asf to a FAT32 USB stick and insert it in the controller.
2. Sensors > select the pack > Update firmware > choose the file.
3. Dosing holds at its last output during the update (about 8 minutes).
4. Sensors > Details should show 2.4.1.

Installing remotely
-------------------
Customers with HydroLink can ask the service desk to schedule the update.
""",
        category="Sensor packs",
        audience=_CUST,
    ),
    DemoDocument(
        title="Spare parts and consumables price list",
        description="List prices for common spare parts and consumables, excluding VAT.",
        filename="brightwater-spare-parts-price-list.csv",
        content="""\
part_number,description,product,unit,list_price_gbp
ASP-MC-01,Chlorine membrane cap kit (2 caps + 50 ml electrolyte),aquasense-sensor-pack,kit,68.00
ASP-EL-01,Chlorine electrolyte 100 ml,aquasense-sensor-pack,bottle,24.50
ASP-PH-02,pH electrode with 5 m cable,aquasense-sensor-pack,each,142.00
ASP-BF-47,pH 4.01 and 7.00 buffer set (2 x 250 ml),aquasense-sensor-pack,set,19.75
ASP-TB-10,Turbidity verification standard 10 NTU,aquasense-sensor-pack,each,56.00
ASP-YS-01,Sample line Y-strainer mesh,aquasense-sensor-pack,each,12.40
AQC-BAT-01,Controller clock backup battery,aquasense-controller,each,9.80
AQC-RS-05,RS-485 screened cable 5 m,aquasense-controller,each,21.00
CF-SK-10,Pump service kit 10 l/h,clearflow-dosing-pump,kit,94.00
CF-SK-25,Pump service kit 25 l/h,clearflow-dosing-pump,kit,112.00
CF-IV-01,Injection valve PVDF 1/2 in,clearflow-dosing-pump,each,38.50
CF-FS-02,Flow sensor (replacement programme part),clearflow-dosing-pump,each,86.00
CF-SL-01,Suction lance with two-stage level switch,clearflow-dosing-pump,each,74.00
CF-AS-01,Anti-siphon valve,clearflow-dosing-pump,each,41.00
CF-CAL-01,Calibration cylinder kit 250 ml,clearflow-dosing-pump,kit,46.00
CF-FC-05,Filter cartridge pack 5 micron (2),clearflow-filter-unit,pack,33.00
CF-OR-02,Housing O-ring set,clearflow-filter-unit,set,11.50
CF-HB-01,Cartridge housing bowl,clearflow-filter-unit,each,58.00
CF-MD-25,Filter media 25 l bag,clearflow-filter-unit,bag,49.00
HL-PSU-01,Gateway plug-in power supply 24 V,hydrolink-gateway,each,29.00
HL-ANT-01,External antenna kit 3 m,hydrolink-gateway,kit,44.00
HL-SIM-01,Managed data SIM (first year included),hydrolink-gateway,each,60.00
""",
        category="Orders, billing and returns",
        audience=_CUST,
    ),
    DemoDocument(
        title="Partner net price list",
        description="Equipment and licence prices with partner tier discounts applied.",
        filename="partner-net-price-list.csv",
        content="""\
part_number,description,list_price_gbp,registered_gbp,certified_gbp,premier_gbp
AQC-100,AquaSense controller,1850.00,1572.50,1387.50,1258.00
AQC-110,AquaSense controller with 4-20 mA output card,2095.00,1780.75,1571.25,1424.60
ASP-200,AquaSense sensor pack (chlorine + pH),1420.00,1207.00,1065.00,965.60
ASP-210,AquaSense sensor pack (chlorine + pH + turbidity),2260.00,1921.00,1695.00,1536.80
CFP-010,ClearFlow dosing pump 10 l/h,780.00,663.00,585.00,530.40
CFP-025,ClearFlow dosing pump 25 l/h,915.00,777.75,686.25,622.20
CFF-300,ClearFlow filter unit 3 m3/h,4650.00,3952.50,3487.50,3162.00
CFF-600,ClearFlow filter unit 6 m3/h,6980.00,5933.00,5235.00,4746.40
SKD-200,Pre-assembled dosing skid (2 pumps + controller),5400.00,4590.00,4050.00,3672.00
HLG-G2,HydroLink gateway G2 with 4G,640.00,544.00,480.00,435.20
HLD-ESS,HydroLink dashboard Essentials per site per year,420.00,378.00,357.00,336.00
HLD-PRO,HydroLink dashboard Professional per site per year,690.00,621.00,586.50,552.00
""",
        category="Partner resources",
        audience=_PART,
    ),
    DemoDocument(
        title="Commissioning record form",
        description="Printable form for partners to record commissioning and handover.",
        filename="commissioning-record-form.txt",
        content="""\
BRIGHTWATER SYSTEMS - COMMISSIONING RECORD
------------------------------------------
Customer: ______________________   Site: ______________________
Partner: _______________________   Engineer / cert no.: ________
Date: ____/____/______

Equipment                 Serial number        Firmware
AquaSense controller      ______________       ______
Sensor pack               ______________       ______
ClearFlow pump 1          ______________       ______
ClearFlow pump 2          ______________       ______
HydroLink gateway         ______________       ______

Checks (tick)
[ ] Pipework pressure tested with water, no leaks at 10 bar
[ ] Anti-siphon / pressure relief valves fitted where required
[ ] RS-485 screen earthed at controller only, termination set
[ ] Flow switch interlock stops dosing within 10 s
[ ] NTP server set and synchronised, time zone Europe/London
[ ] Chlorine calibrated: DPD ____ mg/l, slope ____ %
[ ] pH calibrated: offset ____ mV, slope ____ %
[ ] Drawdown test pump 1 ____ ml/stroke, pump 2 ____ ml/stroke
[ ] Setpoints and alarm limits agreed with customer (attach sheet)
[ ] Configuration backup saved and handed over
[ ] Gateway claimed into customer's dashboard
[ ] Safety card posted at dosing skid
[ ] Customer trained: alarms, calibration, container change

Customer signature: __________________  Engineer signature: __________________
Upload to the partner portal within 5 working days to activate extended warranty.
""",
        category="Partner resources",
        audience=_PART,
    ),
    DemoDocument(
        title="Sodium hypochlorite safety card",
        description="One-page card to post beside chlorine dosing equipment.",
        filename="sodium-hypochlorite-safety-card.txt",
        content="""\
SODIUM HYPOCHLORITE (LIQUID CHLORINE) - SAFETY CARD
====================================================

HAZARDS
  Corrosive: causes severe skin burns and eye damage.
  Releases toxic chlorine gas with acids. NEVER mix with acid or pH-minus.

ALWAYS WEAR
  Goggles or face visor | Nitrile or PVC gauntlets | Chemical apron | Safety boots

STORAGE
  Bunded, shaded, below 25 C. Away from acids. Use within 3 months.

SPILL OR LEAK
  1. Stop the dosing pump and close its valves.
  2. Keep people away. Ventilate.
  3. Contain with inert absorbent (not sawdust).
  4. Dilute residues with plenty of water. Report to supervisor.

FIRST AID
  Eyes:    rinse with water for at least 15 minutes. Get medical help.
  Skin:    remove contaminated clothing, wash thoroughly.
  Inhaled: move to fresh air. Seek medical advice.
  Swallowed: rinse mouth, do NOT induce vomiting. Get medical help.

EMERGENCY
  Site first aider: ____________________  Ext: ______
  Brightwater service desk: +44 141 496 0110
""",
        category="Getting started",
        audience=_PUB,
    ),
    DemoDocument(
        title="Maintenance log template",
        description="Spreadsheet template for recording routine maintenance tasks on site.",
        filename="maintenance-log-template.csv",
        content="""\
date,site,equipment,serial_number,task,result,reading_before,reading_after,done_by,notes
,,AquaSense sensor pack,,Chlorine DPD check and calibration,,,,,
,,AquaSense sensor pack,,pH two-point calibration,,,,,
,,AquaSense sensor pack,,Flow cell and strainer clean,,,,,
,,AquaSense sensor pack,,Membrane cap and electrolyte replaced,,,,,
,,ClearFlow dosing pump,,Drawdown test,,,,,
,,ClearFlow dosing pump,,Service kit fitted,,,,,
,,ClearFlow dosing pump,,Injection valve cleaned,,,,,
,,ClearFlow filter unit,,Differential pressure check,,,,,
,,ClearFlow filter unit,,Manual backwash,,,,,
,,ClearFlow filter unit,,Cartridges replaced,,,,,
,,AquaSense controller,,Firmware version checked,,,,,
,,HydroLink gateway,,Status LEDs and signal checked,,,,,
""",
        category="Getting started",
        audience=_CUST,
    ),
    DemoDocument(
        title="HydroLink network requirements for IT teams",
        description="Outbound ports, domains and proxy support needed by HydroLink gateways.",
        filename="hydrolink-network-requirements.txt",
        content="""\
HydroLink gateway - network requirements
=========================================

Direction: outbound only. No inbound ports or port forwarding are required.

Destination                  Port   Protocol          Purpose
connect.hydrolink.example    8883   MQTT over TLS     readings and alarms
connect.hydrolink.example    443    MQTT/WebSockets   alternative to 8883
api.hydrolink.example        443    HTTPS             settings, firmware
time.hydrolink.example       123    NTP (UDP)         clock
local DNS server             53     UDP/TCP           name resolution

Addressing: DHCP (default) or static, set from the dashboard.
Wi-Fi: 2.4 GHz, WPA2-Personal or WPA3; no captive portals.
Proxy: HTTP CONNECT proxy with optional basic authentication.
TLS inspection: not supported; please bypass the hydrolink.example domains.
Bandwidth: typically under 50 MB per month per gateway.
Encryption: TLS 1.2 or newer, per-device certificates.
Data location: United Kingdom.

Questions: support@brightwater.example
""",
        category="HydroLink gateway and dashboard",
        audience=_CUST,
    ),
    DemoDocument(
        title="Company holiday calendar 2027",
        description="Fixed public holidays when the office is closed, with on-call cover.",
        filename="holiday-calendar-2027.txt",
        content="""\
Brightwater Systems - company holidays 2027 (Scotland)
======================================================

Friday 1 January        New Year's Day
Monday 4 January        2 January (substitute day)
Friday 26 March         Good Friday
Monday 3 May            Early May bank holiday
Monday 31 May           Spring bank holiday
Monday 2 August         Summer bank holiday
Tuesday 30 November     St Andrew's Day
Monday 27 December      Christmas Day (substitute day)
Tuesday 28 December     Boxing Day (substitute day)

The office at Finnieston Quay is closed on these days.
The on-call rota provides emergency cover for contract customers.
Annual leave for the Christmas period is allocated by rota; book by 31 October.
""",
        category="Employee help",
        audience=_EMP,
    ),
    DemoDocument(
        title="Service desk escalation contacts",
        description="Phone numbers for escalation by role, for service desk staff only.",
        filename="escalation-contacts.csv",
        content="""\
role,name,office_phone,out_of_hours
Service supervisor,Morag Campbell,+44 141 496 0130,via on-call phone
Duty support engineer,on-call rota,+44 141 496 0199,+44 7700 900199
Field service on call,on-call rota,+44 141 496 0198,+44 7700 900198
Head of service,Service management,+44 141 496 0131,+44 7700 900131
Health and safety manager,Health and safety,+44 141 496 0135,+44 7700 900135
Product engineering manager,Engineering,+44 141 496 0170,next working day
Account manager (north and east),Callum Ross,+44 141 496 0161,next working day
Finance (credit notes),Finance team,+44 141 496 0150,next working day
IT emergency (lost laptops),IT service desk,+44 141 496 0145,+44 7700 900145
Contracts and renewals,Contracts team,+44 141 496 0165,next working day
""",
        category="Service desk internal",
        audience=_STAFF,
    ),
]

SYNONYMS: list[tuple[str, ...]] = [
    ("login", "log in", "log-in", "sign in", "signin", "logon", "log on"),
    ("password", "passcode", "passphrase"),
    ("invoice", "bill"),
    ("broken", "faulty", "not working", "defective"),
    ("wifi", "wi-fi", "wireless", "wlan"),
    ("pump", "doser"),
    ("alarm", "error code", "fault code"),
    ("restart", "reboot", "power cycle"),
    ("hypochlorite", "bleach", "liquid chlorine"),
    ("return", "rma", "send back"),
    ("delivery", "shipment", "shipping"),
    ("warranty", "guarantee"),
    ("firmware", "software"),
    ("update", "upgrade"),
    ("two-factor", "2fa", "mfa", "multi-factor", "two-step"),
    ("call back", "callback", "ring back"),
    ("service request", "ticket", "support case"),
    ("colleague", "co-worker", "coworker"),
    ("spare parts", "spares", "replacement parts"),
    ("purchase order", "po"),
    ("offline", "disconnected", "no connection"),
    ("stuck", "frozen", "flatlined"),
    ("backwash", "backflush", "back flush"),
    ("clock", "time of day"),
    ("ntp", "time server", "network time"),
    ("air lock", "airlock", "air-lock"),
    ("holiday", "annual leave", "vacation", "time off"),
    ("expenses", "expense claim", "reimbursement"),
    ("laptop", "notebook"),
    ("vpn", "remote access"),
]
