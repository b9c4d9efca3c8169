const stripe = new Stripe("⟦sk‖_live_FAKEEznBuwBEYmpPj8uqDX4uEXAMPLE⟧");
const apiKey = "⟦AI‖zaSyZ4JpJiiiu6z9SkTIvTnJIHI1VQL71hEqD⟧";
const headers = { Authorization: `Bearer ⟦ey‖JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXItNDIiLCJuYW1lIjoiRmFrZSBFeGFtcGxlIiwiaWF0IjoxNTE2MjM5MDIyfQ.esihJvzw1ghgupGdmRSAGwuE7_nMrXnNmnYwbDknl74⟧` };
const slack = "⟦xo‖xb-066284585339-0039961329214-ogFsPKHLaZDF0yTlzgdqn0f1⟧";
export const SENDGRID = "⟦SG‖.HOPB5eoFT3TwbwREgOhShp.cSMfDBG3pyh6MAXcM9QeFhX8Bj0MkXJ1bvvduksF6LP⟧";
const pat = "⟦gi‖thub_pat_11YIWG0BRC94J634U0G9IR_idEJ0SXDOzAJ5edpXoolVjbFAktFzWkUFssQrQiFkfBTbF9VKYX6Q81fHpv⟧";
const config = { apiKey: "⟦sk‖-BCo8IrKLsA6ukNIMqWwRgmAoIitlZGHVtIgI2rnICQYfkwaE⟧", model: "moonshot-v1-8k" };
