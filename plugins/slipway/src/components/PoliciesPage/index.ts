export { PoliciesPage, PoliciesPageContent } from './PoliciesPage';
