export { FleetPage, FleetPageContent } from './FleetPage';
export { FleetContent } from './FleetContent';
