// Read iCalendar text on stdin the way Thunderbird does (ical.js) and print its events as JSON.
//
// Plain .ics text on stdin gives a JSON array of events; exits 1 when the text does not parse.
// A JSON array of .ics texts gives one result per feed, {"events": [...], "calendar": {...}}
// or {"error": "..."},
// so that many feeds cost one node start.
import ICAL from "ical.js";

function eventsOf(text) {
  const component = new ICAL.Component(ICAL.parse(text));
  if (component.name !== "vcalendar") {
    throw new Error(`expected a VCALENDAR, got ${component.name}`);
  }
  return component.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      isDate: event.startDate.isDate,
    };
  });
}

// The calendar's own properties, as ical.js gives them to Thunderbird.
function calendarOf(text) {
  const component = new ICAL.Component(ICAL.parse(text));
  const names = ["name", "x-wr-calname", "method", "refresh-interval", "x-published-ttl"];
  return Object.fromEntries(
    names.map((name) => [name, component.getFirstPropertyValue(name)?.toString() ?? null]),
  );
}

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) {
  input += chunk;
}

if (input.trimStart().startsWith("[")) {
  const results = JSON.parse(input).map((text) => {
    try {
      return { events: eventsOf(text), calendar: calendarOf(text) };
    } catch (error) {
      return { error: String(error) };
    }
  });
  process.stdout.write(JSON.stringify(results));
} else {
  try {
    process.stdout.write(JSON.stringify(eventsOf(input)));
  } catch (error) {
    process.stderr.write(`ical.js could not parse the feed: ${error}\n`);
    process.exit(1);
  }
}
