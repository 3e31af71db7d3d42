import { it, expect } from 'vitest';
import { createTestApp } from './harness.ts';

it('smoke', async () => {
  const t = await createTestApp('sqlite');
  const a = t.as('admin@edgeworks.example');
  const r1 = await a.request({
    method: 'POST',
    url: '/api/v1/vendors/edgeworks/price-lists',
    payload: 'partNumber,name,type,category,listPrice\nX-1,Thing,device,Devices,10.00\n',
  });
  console.log('no content-type', r1.statusCode, r1.body.slice(0, 300));
  const r2 = await a.request({
    method: 'POST',
    url: '/api/v1/vendors/edgeworks/price-lists',
    payload: 'partNumber,name,type,category,listPrice\nX-1,Thing,device,Devices,10.00\n',
    headers: { 'content-type': 'text/csv' },
  });
  console.log('csv', r2.statusCode, r2.body.slice(0, 400));
  const p = await t.as('buyer@acme.example').get('/api/v1/products?vendor=edgeworks&q=F2&limit=5');
  console.log(p.statusCode, p.body.slice(0, 600));
  const pr = await t
    .as('buyer@acme.example')
    .get('/api/v1/prices?vendor=edgeworks&partNumbers=F200-GW-01,X-1,NOPE');
  console.log(pr.statusCode, pr.body.slice(0, 600));
  const c = await t.as('buyer@acme.example').get('/api/v1/categories?vendor=edgeworks');
  console.log(c.statusCode, c.body.slice(0, 600));
  const ex = await a.get(`/api/v1/vendors/edgeworks/price-lists`);
  console.log(ex.statusCode, ex.body.slice(0, 600));
  const id = ex.json().items[0].id;
  const csv = await a.get(`/api/v1/vendors/edgeworks/price-lists/${id}/export?format=csv`);
  console.log(csv.statusCode, csv.headers, csv.body.slice(0, 300));
  const xlsx = await a.get(`/api/v1/vendors/edgeworks/price-lists/${id}/export?format=xlsx`);
  console.log(xlsx.statusCode, xlsx.headers['content-type'], xlsx.rawPayload.length);
  const doc = await t.as(null).get('/api/v1/openapi.json');
  console.log(
    doc.statusCode,
    JSON.stringify(doc.json().paths['/api/v1/vendors/{slug}/price-lists'].post).slice(0, 800),
  );
  await t.close();
  expect(1).toBe(1);
});
