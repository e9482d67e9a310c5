export { PromotionsPage, PromotionsPageContent } from './PromotionsPage';
