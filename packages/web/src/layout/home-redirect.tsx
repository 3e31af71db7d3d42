import { Navigate } from 'react-router';
import { isPartner, useMe } from '../session/session';

/** The start page of the user's side: the portal for partners, the queues for vendor staff. */
export function HomeRedirect() {
  const me = useMe();
  if (isPartner(me)) return <Navigate to="/portal" replace />;
  if (me.roles.includes('vendor_admin') && me.roles.length === 1)
    return <Navigate to="/admin" replace />;
  return <Navigate to="/desk" replace />;
}
