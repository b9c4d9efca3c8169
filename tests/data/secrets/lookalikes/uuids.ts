export const TENANT = "9b9f4bf5-6b05-42a5-b66e-73733c4cebbc";
const requestId = '353c0e1f-37b2-464d-83de-2dfd5e10fec7';
const ids = ["e36d0e26-7a36-433a-bee1-1b1a84f61927", "9B9F4BF5-6B05-42A5-B66E-73733C4CEBBC"];
