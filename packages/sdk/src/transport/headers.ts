/** Attribution and auth headers, built once per client. */
export interface HeaderConfig {
  apiKey?: string;
  /** Your app's URL: `HTTP-Referer`, OpenRouter's key for app attribution. */
  appUrl?: string;
  /** Your app's name: sent as `X-OpenRouter-Title` and the older `X-Title`. */
  appName?: string;
  appCategories?: string[];
  headers?: Record<string, string>;
}

export function buildHeaders(config: HeaderConfig): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  if (config.appUrl) headers['http-referer'] = config.appUrl;
  if (config.appName) {
    headers['x-openrouter-title'] = config.appName;
    headers['x-title'] = config.appName;
  }
  if (config.appCategories && config.appCategories.length > 0) {
    headers['x-openrouter-categories'] = config.appCategories.join(',');
  }
  for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}
