import { BREAKER_DEFAULTS, CATALOG_TTL_MS, CONFIG_DEFAULTS, DEFAULT_BASE_URL, ROUTING_DEFAULTS } from '@switchyard/sdk';
import { resolveGatewayConfig } from '../../config/gateway-config.js';

const seconds = (ms: number) => String(ms / 1000);

/**
 * The commented `switchyard.toml` that `switchyard config init` writes: every section, every setting commented out
 * with its default (or an example where there is none), explained. Defaults are taken from the code (SDK constants and
 * the gateway's own resolution), so the file cannot drift from what an empty config means.
 *
 * Conventions, relied on by the tests: explanations are `# ` lines; settings are `# name = value` lines; table
 * headers of the examples for named entries are `# [models.…]`. Uncommenting any or all of them gives a valid file.
 */
export function configTemplate(): string {
  const d = CONFIG_DEFAULTS;
  const r = ROUTING_DEFAULTS;
  const b = BREAKER_DEFAULTS;
  const g = resolveGatewayConfig({ env: {} });
  return `# switchyard.toml — settings of the switchyard SDK, CLI and gateway (written by \`switchyard config init\`).
#
# Every setting is commented out and shows its default, or an example where there is no default: uncomment what
# you want to change. Precedence: command-line flags > environment variables > this file > defaults.
# Strings may use \${VAR} and \${VAR:-fallback}; a variable that is not set leaves the setting unset. Keep secrets in
# the environment and reference them as shown for api_key. Durations are in seconds.
# Check the file and your setup with \`switchyard doctor\`. JSON with the same layout works too (switchyard.json).

[openrouter]
# OpenRouter API key, env OPENROUTER_API_KEY. Without a key the CLI and the gateway use the offline simulator.
# api_key = "\${OPENROUTER_API_KEY}"
# API root, env OPENROUTER_BASE_URL. https is required unless the host is loopback or allow_insecure_http is on.
# base_url = "${DEFAULT_BASE_URL}"
# Model used when a request names none, env OPENROUTER_DEFAULT_MODEL. Default: your account's default model.
# default_model = "openai/gpt-4o-mini"
# Models tried in order when the primary one fails, env OPENROUTER_FALLBACK_MODELS (comma list there).
# fallback_models = ["anthropic/claude-3.5-haiku", "meta-llama/llama-3.3-70b-instruct"]
# Where requests go: "openrouter", "openai-compatible" (base_url is then required), "simulator", or the name of
# an entry under [providers]. Env DEFAULT_PROVIDER.
# provider = "${d.provider}"
# true: use the offline simulator instead of the network, env DEV_MODE.
# dev_mode = false
# Overall deadline of one request, retries included (0 = none), env OPENROUTER_TIMEOUT.
# timeout = ${seconds(d.timeoutMs)}
# Largest non-stream answer read, in bytes (the gateway uses its max_upstream_response instead).
# max_response_bytes = ${d.maxResponseBytes}
# Allow http:// base URLs on hosts other than loopback (your key then travels unencrypted).
# allow_insecure_http = false

[timeouts]
# Per-phase limits of each attempt (0 disables one).
# Until the response headers arrive.
# headers = ${seconds(d.timeouts.headersMs)}
# Until the first token of a stream arrives.
# first_token = ${seconds(d.timeouts.firstTokenMs)}
# Longest silence within a stream.
# idle = ${seconds(d.timeouts.idleMs)}

[retry]
# Retries after a failed attempt (rate limits, overloads, network errors), env OPENROUTER_RETRY_ATTEMPTS.
# attempts = ${d.retry.attempts}
# Exponential backoff from this base to this cap, env OPENROUTER_RETRY_BACKOFF_BASE / _BACKOFF_MAX.
# backoff_base = ${seconds(d.retry.backoffBaseMs)}
# backoff_max = ${seconds(d.retry.backoffMaxMs)}
# Random share (0 to 1) added to each delay, env OPENROUTER_RETRY_JITTER.
# jitter = ${d.retry.jitter}

[routing]
# Who walks the fallback chain: "client" (switchyard, with its circuit breakers), "server" (OpenRouter's
# models[], at most 3) or "both".
# fallback_strategy = "${r.fallbackStrategy}"
# Order of the catalog when a request names no model: "context" (largest first), "price" or "health".
# selection = "${r.selection}"
# Never fall back to a model above these prices, in USD per million prompt / completion tokens. Default: no limit.
# max_prompt_price = 10
# max_completion_price = 30
# Check requests against the model's catalog entry first: "reject", "reroute" (to a fallback that fits) or "off".
# preflight = "${r.preflight}"
# Emit a context warning when prompt + max_tokens reach this share of the context window.
# context_warn_at = ${r.contextWarnAt}
# On a context-length error: "prune" (retry once without the oldest turns), "drop-context" or "fail".
# on_context_length_error = "${r.onContextLengthError}"
# On a 402 that says how many tokens the balance can afford: "lower-max-tokens" (retry once with that max_tokens) or "fail".
# on_insufficient_credits = "${r.onInsufficientCredits}"
# Start the next target when a stream has sent no content after this long (0 = no hedging).
# hedge_after = ${seconds(r.hedgeAfterMs)}

[breaker]
# One circuit breaker per (provider, model). It opens after this many failures in a row ...
# failure_threshold = ${b.failureThreshold}
# ... or at this failure share over the window, once the window holds min_requests requests.
# failure_rate = ${b.failureRate}
# min_requests = ${b.minRequests}
# window = ${seconds(b.windowMs)}
# How long an open breaker waits before it lets one probe request through, and how long that probe may take.
# recovery = ${seconds(b.recoveryMs)}
# probe_timeout = ${seconds(b.probeTimeoutMs)}

[catalog]
# How long the model list (/models) is served before a background refresh.
# ttl = ${seconds(CATALOG_TTL_MS)}
# A directory for a copy of the list on disk, so new processes start with a catalog. Default: memory only
# (the CLI keeps one in $SWITCHYARD_CACHE_DIR, else ~/.cache/switchyard, unless this is set).
# cache_dir = ".switchyard/catalog"

[usage]
# When an answer carries no cost, fetch OpenRouter's /generation record for it in the background.
# cost_backfill = false

[app]
# Your app's URL and name for OpenRouter's app attribution (HTTP-Referer, X-Title), env OPENROUTER_HTTP_REFERER and
# OPENROUTER_APP_NAME. At most 2 marketplace categories, lowercase-hyphenated.
# url = "https://example.com"
# name = "My App"
# categories = ["cli-agent"]

[defaults]
# Parameters applied to every chat request that does not set them itself, for example:
# temperature = 0.7
# max_tokens = 1024

[aliases]
# Short names usable wherever a model id is, for example:
# fast = "openai/gpt-4o-mini"

# [models.<name>]: a named model with its own OpenRouter routing. Example (uncomment all three lines):
# [models.kimi]
# model = "moonshotai/kimi-k2.5"
# routing = ["moonshotai"]

# [providers.<name>]: an OpenAI-compatible server (OpenAI, LM Studio, Ollama, vLLM) usable as provider = "<name>".
# Its api_key may reference the environment like the OpenRouter key. Example (uncomment all four lines):
# [providers.local]
# type = "openai-compatible"
# base_url = "http://127.0.0.1:11434/v1"
# models = ["llama3.1:8b"]

[gateway]
# The gateway process (\`switchyard serve\`). Flags of \`switchyard serve\` and the environment win over these.
# Interface and port to listen on, env HOST / PORT. Beyond loopback the gateway requires virtual keys.
# host = "${g.host}"
# port = ${g.port}
# Largest request body in bytes; larger requests get 413.
# body_limit = ${g.bodyLimit}
# How long running streams may finish after SIGINT/SIGTERM.
# grace_period = ${seconds(g.graceMs)}
# Seconds a client may take to send a whole request, headers and body; slower clients get 408. Answers and
# streams are not limited by it.
# request_timeout = ${seconds(g.requestTimeoutMs)}
# Largest upstream answer in bytes, stream or not; a bigger one is cut with an error (502, or an error chunk).
# max_upstream_response = ${g.maxUpstreamResponseBytes}
# Token of the admin API (Authorization: Bearer …), env SWITCHYARD_ADMIN_TOKEN. Unset: the admin API is off.
# admin_token = "\${SWITCHYARD_ADMIN_TOKEN}"
# Secret for the HMAC of virtual keys, env SWITCHYARD_KEY_SECRET. Unset: generated once and kept in the database.
# key_secret = "\${SWITCHYARD_KEY_SECRET}"
# Write prompts and answers to the log (they can hold personal data).
# log_prompts = ${g.logPrompts}
# Serve without virtual keys on a public interface (dangerous).
# insecure_no_auth = ${g.insecureNoAuth}
# Origins of web pages that may call the API from a browser ("*", exact origins, "http://host:*" for any port),
# env SWITCHYARD_CORS_ORIGINS. Pages of other origins get 403.
# cors_origins = ${JSON.stringify(g.corsOrigins)}
# Host names an open (keyless) gateway answers besides loopback ones (e.g. behind a local reverse proxy),
# env SWITCHYARD_ALLOWED_HOSTS.
# allowed_hosts = ${JSON.stringify(g.allowedHosts)}
# The ledger, budgets and keys: an SQLite file, or PostgreSQL when database_url (env DATABASE_URL) is set.
# sqlite_path = "${g.sqlitePath}"
# database_url = "\${DATABASE_URL}"
# Shared state of several gateway instances (rate limits, circuit breakers, budgets, stored responses), env
# REDIS_URL.
# Unset: kept in memory.
# redis_url = "\${REDIS_URL}"
`;
}
