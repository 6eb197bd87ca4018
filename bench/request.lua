-- wrk request script: method, body and API key from the environment.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["x-api-key"] = key
end
