-- wrk script for bench/profile.sh: the read API's two operations in turn, with the default
-- credentials (user:password), as the service's representative load.
wrk.headers["Authorization"] = "Basic dXNlcjpwYXNzd29yZA=="
local paths = { "/actors", "/actors/3" }
local n = 0

request = function()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1])
end
