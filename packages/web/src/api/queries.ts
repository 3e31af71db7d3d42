import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { readAllPages, WHOLE_READ_PAGE_SIZE } from './paged';

/** Shared reads, cached by TanStack Query under stable keys. */
export function useVendors() {
  return useQuery({
    queryKey: ['vendors'],
    queryFn: async () => unwrap(await api.GET('/api/v1/vendors')).items,
    staleTime: 5 * 60_000,
  });
}

/**
 * A vendor's name for its slug ("skyline" → "Skyline Marketplace"), for the screens that list
 * orders and quotes by vendor; the slug while the names load.
 */
export function useVendorName(): (slug: string) => string {
  const vendors = useVendors();
  return (slug) => vendors.data?.find((v) => v.slug === slug)?.name ?? slug;
}

export function useProfile(slug: string | undefined) {
  return useQuery({
    queryKey: ['profile', slug],
    enabled: !!slug,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/vendors/{slug}/profile', { params: { path: { slug: slug! } } }),
      ),
    staleTime: 5 * 60_000,
  });
}

export function usePartnerships(vendor?: string) {
  return useQuery({
    queryKey: ['partnerships', vendor ?? null],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/partnerships', { params: { query: vendor ? { vendor } : {} } }))
        .items,
    staleTime: 60_000,
  });
}

/** Every customer: the pickers offer the whole set, so every page is read. */
export function useCustomers() {
  return useQuery({
    queryKey: ['customers'],
    queryFn: () =>
      readAllPages(async (cursor) =>
        unwrap(
          await api.GET('/api/v1/customers', {
            params: { query: { limit: WHOLE_READ_PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
          }),
        ),
      ),
  });
}

export function useCustomer(id: string | undefined) {
  return useQuery({
    queryKey: ['customer', id],
    enabled: !!id,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/customers/{id}', { params: { path: { id: id! } } })),
  });
}

export function useContacts(customerId: string | undefined) {
  return useQuery({
    queryKey: ['contacts', customerId],
    enabled: !!customerId,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{id}/contacts', {
          params: { path: { id: customerId! } },
        }),
      ).items,
  });
}

export function useOrder(id: string | undefined) {
  return useQuery({
    queryKey: ['order', id],
    enabled: !!id,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/orders/{id}', { params: { path: { id: id! } } })),
  });
}
