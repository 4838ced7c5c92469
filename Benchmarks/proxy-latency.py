# Proxy overhead: the same PromQL requests straight to VictoriaMetrics (127.0.0.1:18428) and through the API host
# (127.0.0.1:8000, Query:UpstreamUrl pointing at it); prints a Markdown table of p50/p99 milliseconds. See BENCHMARKS.md.
import time, urllib.request, statistics, sys
def run(base, q, n=300):
    ts=[]
    for i in range(n):
        t=time.perf_counter()
        with urllib.request.urlopen(base+q) as r: r.read()
        ts.append((time.perf_counter()-t)*1000)
    ts.sort()
    return statistics.median(ts), ts[int(n*0.99)-1]
qs={'instant rate sum':'/api/v1/query?query=sum(rate(load_metric_0_seconds_bucket%5B5m%5D))',
    'labels':'/api/v1/labels',
    'query_range 1h step 15s':'/api/v1/query_range?query=sum+by+(le)(load_metric_1_seconds_bucket)&start=%d&end=%d&step=15'%(time.time()-3600,time.time())}
print('| request | VictoriaMetrics direct p50 / p99 ms | through ApiHost p50 / p99 ms |')
print('|---|---:|---:|')
for name,q in qs.items():
    run('http://127.0.0.1:18428',q,30); run('http://127.0.0.1:8000',q,30)
    d=run('http://127.0.0.1:18428',q); p=run('http://127.0.0.1:8000',q)
    print(f'| {name} | {d[0]:.2f} / {d[1]:.2f} | {p[0]:.2f} / {p[1]:.2f} |')
