import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { AppLayout, RequireLogin } from './layout/app-layout';
import { HomeRedirect } from './layout/home-redirect';
import { RouteError } from './layout/route-error';

/** A route whose page component is loaded on first visit (its own chunk). */
function page(path: string, load: () => Promise<{ default: React.ComponentType }>): RouteObject {
  return { path, lazy: async () => ({ Component: (await load()).default }) };
}

const routes: RouteObject[] = [
  page('/login', () => import('./routes/login/login-page')),
  {
    element: <RequireLogin />,
    errorElement: <RouteError />,
    children: [
      {
        element: <AppLayout />,
        errorElement: <RouteError />,
        children: [
          { path: '/', element: <HomeRedirect /> },
          page('/portal', () => import('./routes/portal/dashboard-page')),
          page('/portal/organizations', () => import('./routes/portal/organizations-page')),
          page(
            '/portal/organizations/:customerId/order',
            () => import('./routes/wizard/wizard-page'),
          ),
          page('/orders', () => import('./routes/orders/orders-page')),
          page('/orders/:orderId', () => import('./routes/orders/order-page')),
          page('/orders/:orderId/correct', () => import('./routes/wizard/wizard-page')),
          page('/quotes', () => import('./routes/quotes/quotes-page')),
          page('/quotes/:quoteId', () => import('./routes/quotes/quote-page')),
          page('/invoices', () => import('./routes/invoices/invoices-page')),
          page('/invoices/:invoiceId', () => import('./routes/invoices/invoice-page')),
          page('/returns', () => import('./routes/returns/returns-page')),
          page('/desk', () => import('./routes/desk/queues-page')),
          page('/intake', () => import('./routes/intake/intake-page')),
          page('/sla', () => import('./routes/desk/sla-page')),
          page('/licenses', () => import('./routes/desk/licenses-page')),
          page('/catalog', () => import('./routes/desk/catalog-page')),
          page('/admin', () => import('./routes/admin/admin-page')),
          { path: '*', element: <Navigate to="/" replace /> },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
