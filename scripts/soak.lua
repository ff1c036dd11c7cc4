-- wrk script of `scripts/soak`: a todo app's life, over and over, with a bounded store.
--
-- Each todo goes POST /todos -> GET /todos/{id} -> PUT /todos/{id} -> DELETE /todos/{id}, the
-- next step sent only once the previous one's answer is in (told apart by status and title),
-- so no step races another and the store never holds more todos than there are requests in
-- flight. Between steps, connections list the open todos (GET /todos?done=false). Every
-- answer must be a 2xx: wrk counts the others as errors, and so does the soak.

local created, read, updated = {}, {}, {}
local turn = 0
local json = { ["Content-Type"] = "application/json" }

request = function()
  local id = table.remove(updated)
  if id then
    return wrk.format("DELETE", "/todos/" .. id)
  end
  id = table.remove(read)
  if id then
    return wrk.format("PUT", "/todos/" .. id, json, '{"title":"soak-done","done":true}')
  end
  id = table.remove(created)
  if id then
    return wrk.format("GET", "/todos/" .. id)
  end
  turn = turn + 1
  if turn % 2 == 0 then
    return wrk.format("GET", "/todos?done=false")
  end
  return wrk.format("POST", "/todos", json, '{"title":"soak"}')
end

response = function(status, headers, body)
  local id, title = string.match(body or "", '^{"id":(%d+),"title":"([%w-]+)"')
  if not id then
    return
  end
  if status == 201 then
    table.insert(created, id)
  elseif status == 200 and title == "soak" then
    table.insert(read, id)
  elseif status == 200 and title == "soak-done" then
    table.insert(updated, id)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
