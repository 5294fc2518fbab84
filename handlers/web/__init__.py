"""The coach's dashboard over HTTP (Starlette): parse the request, call a `bot.flows.dashboard_*` function, render
a template of `content/dashboard/`. `routes(site)` gives every route; `bot.web` mounts them."""
