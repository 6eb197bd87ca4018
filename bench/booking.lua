-- wrk booking script: each request books a different free slot.
-- BENCH_BOOKINGS names a file of "token<TAB>json body" lines (one free slot each);
-- BENCH_START is how many lines earlier runs used. Answers other than 201 are counted.
local key = os.getenv("BENCH_KEY")
tokens, bodies, n, i, non201, s409, s422, s5xx = {}, {}, 0, 0, 0, 0, 0, 0

function init(args)
  for line in io.lines(os.getenv("BENCH_BOOKINGS")) do
    local tab = line:find("\t", 1, true)
    n = n + 1
    tokens[n] = "Bearer " .. line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  i = tonumber(os.getenv("BENCH_START") or "0")
end

function request()
  i = i + 1
  local k = ((i - 1) % n) + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["x-api-key"] = key,
    ["Authorization"] = tokens[k],
  }, bodies[k])
end

function response(status, headers, body)
  if status ~= 201 then
    non201 = non201 + 1
    if status == 409 then s409 = s409 + 1 elseif status == 422 then s422 = s422 + 1 elseif status >= 500 then s5xx = s5xx + 1 end
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local total, used, a, b, c = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("non201")
    used = used + t:get("i")
    a, b, c = a + t:get("s409"), b + t:get("s422"), c + t:get("s5xx")
  end
  io.write(string.format("Non-201: %d (409: %d, 422: %d, 5xx: %d)\nLast index: %d\n", total, a, b, c, used))
end
