-- wrk script of `benchmark sign-in` (BENCHMARKS.md, "Sign-in (issue 9)"): token requests to one OpenID
-- provider's token endpoint, the same script for Tilldela and for Keycloak.
--
--   wrk -t T -c C -d D -s token-grants.lua URL -- MODE AUTH FILE THREADS BODY PATH
--
--   MODE  refresh  each request spends one refresh token (they rotate, and a spent one must never be sent
--                  again: reuse ends the whole family); the token a response brings goes back to the thread's
--                  pool, so a pool of at least C/T tokens per thread keeps every connection busy
--         code     each request redeems one prepared authorization code; a thread stops when its codes run out
--         static   every request sends BODY (client credentials)
--   AUTH  the Authorization header (HTTP Basic of the confidential client)
--   FILE  prepared refresh tokens or codes, one a line (split between the threads), or -
--   BODY  the form body after the token (code: &redirect_uri=…&code_verifier=…) or the whole body (static)
--
-- The rate is counted here, from the first request to the last answer, successful answers only (wrk's own
-- Requests/sec divides by the whole -d even when the code pools ran out earlier). Prints one line
-- "RESULT ok=… failed=… micros=… p50=… p99=…" (latencies in microseconds, wrk's own histogram).
local ffi = require("ffi")
ffi.cdef [[ typedef struct { long tv_sec; long tv_nsec; } bench_ts; int clock_gettime(int clk, bench_ts *tp); ]]
local ts = ffi.new("bench_ts")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local mode, auth, body, path
local pool = {}
ok, failed, first, last = 0, 0, 0, 0

function init(args)
  mode, auth, body, path = args[1], args[2], args[5], args[6]
  local n = tonumber(args[4])
  if args[3] ~= "-" then
    local i = 0
    for line in io.lines(args[3]) do
      if i % n == id and line ~= "" then table.insert(pool, line) end
      i = i + 1
    end
  end
end

local headers
function request()
  if first == 0 then first = now_us() end
  headers = headers or { ["Authorization"] = auth, ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json" }
  if mode == "static" then
    return wrk.format("POST", path, headers, body)
  end
  local item = table.remove(pool)
  if item == nil then
    wrk.thread:stop()
    return wrk.format("GET", path)
  end
  if mode == "refresh" then
    return wrk.format("POST", path, headers, "grant_type=refresh_token&refresh_token=" .. item)
  end
  return wrk.format("POST", path, headers, "grant_type=authorization_code&code=" .. item .. body)
end

function response(status, hdrs, resp)
  last = now_us()
  if status == 200 then
    ok = ok + 1
    if mode == "refresh" then
      -- the one field this load script needs from the token response (no JSON library in wrk's LuaJIT)
      local t = resp:match('"refresh_token"%s*:%s*"([^"]+)"')
      if t then table.insert(pool, t) end
    end
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("status " .. status .. ": " .. resp:sub(1, 200) .. "\n") end
  end
end

function done(summary, latency, requests)
  local o, f, t0, t1 = 0, 0, nil, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    f = f + t:get("failed")
    local a, b = t:get("first"), t:get("last")
    if a > 0 and (t0 == nil or a < t0) then t0 = a end
    if b > t1 then t1 = b end
  end
  io.write(string.format("RESULT ok=%d failed=%d micros=%d p50=%d p99=%d\n", o, f, t1 - (t0 or t1), latency:percentile(50), latency:percentile(99)))
end
