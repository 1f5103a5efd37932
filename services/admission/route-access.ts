/**
 * Which routes are for the platform rather than for clients: probes and metrics answer under load, without an API
 * key, and are never rate limited, or orchestrators restart busy pods and dashboards go blind.
 */
const OPERATIONS_ROUTE = /^\/(health\/|v2\/health\/|v2\/models\/[^/]+\/ready$|metrics$)/

export const isOperationsRoute = (url: string): boolean => OPERATIONS_ROUTE.test(url)

/**
 * Open without an API key: the operations routes, `/` with its assets (the page for people, which asks for a key),
 * and the repository routes, which take the admin token in the same Authorization header instead.
 */
export const isOpenWithoutKey = (url: string): boolean => url === '/' || url.startsWith('/page/') || url.startsWith('/v2/repository/') || isOperationsRoute(url)
