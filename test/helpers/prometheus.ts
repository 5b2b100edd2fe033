import parsePrometheusTextFormat, { type MetricFamily, type Sample } from 'parse-prometheus-text-format'
import type { MetricValueWithName, Registry } from 'prom-client'

/** A scrape parsed by a Prometheus text-format parser, with look-ups by name and labels. */
export class Scrape {
  readonly families: MetricFamily[]

  constructor (text: string) {
    this.families = parsePrometheusTextFormat(text)
  }

  family (name: string): MetricFamily | undefined {
    return this.families.find(f => f.name === name)
  }

  /** The sample of `name` whose labels include `labels`; undefined when there is none. */
  sample (name: string, labels: Record<string, string> = {}): Sample | undefined {
    return this.family(name)?.metrics.find(m => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  }

  /** The value of a counter or gauge sample (NaN when absent). */
  value (name: string, labels: Record<string, string> = {}): number {
    return Number(this.sample(name, labels)?.value ?? NaN)
  }
}

/** GETs /metrics from a node's API and parses it. */
export async function scrape (apiUrl: string): Promise<{ contentType: string | null, scrape: Scrape }> {
  const res = await fetch(`${apiUrl}/metrics`)
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${await res.text()}`)
  return { contentType: res.headers.get('content-type'), scrape: new Scrape(await res.text()) }
}

/**
 * The count and sum of one labelled series of a histogram, read from the registry:
 * the text parser folds a labelled histogram's series into one.
 */
export async function histogramSeries (registry: Registry, name: string, labels: Record<string, string>): Promise<{ count?: number, sum?: number }> {
  const values = (await registry.getSingleMetric(name)?.get())?.values as Array<MetricValueWithName<string>> | undefined
  const series = (values ?? []).filter(v => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
  const read = (suffix: string): number | undefined => series.find(v => v.metricName === `${name}${suffix}`)?.value
  return { count: read('_count'), sum: read('_sum') }
}
